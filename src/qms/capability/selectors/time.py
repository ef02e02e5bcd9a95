"""Reads of time."""
