"""QMS: a quality management system for health and care services."""

__version__ = "0.1.0"
