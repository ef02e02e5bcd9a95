"""Measure pages, data entry, signals, escalations and the inbox."""
