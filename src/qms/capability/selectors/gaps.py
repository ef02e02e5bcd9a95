"""Reads of gaps."""
