"""Reads of leadership."""
