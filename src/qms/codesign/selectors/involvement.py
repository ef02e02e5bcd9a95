"""Reads of involvement."""
