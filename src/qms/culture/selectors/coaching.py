"""Reads of coaching."""
