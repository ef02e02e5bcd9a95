"""Reads of framework."""
