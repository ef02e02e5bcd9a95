"""Reads of concerns."""
