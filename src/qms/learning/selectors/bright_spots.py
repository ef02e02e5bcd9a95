"""bright_spots."""
