"""Reads of partners."""
