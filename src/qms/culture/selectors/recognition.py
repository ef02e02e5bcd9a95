"""Reads of recognition."""
