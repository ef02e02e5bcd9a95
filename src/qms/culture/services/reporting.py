"""Writes of reporting: every write authorises `by`, is atomic and keeps history."""
