"""Reads of surveys."""
