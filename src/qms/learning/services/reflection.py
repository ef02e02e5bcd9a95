"""reflection."""
