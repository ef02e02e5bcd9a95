"""Writes of concerns: every write authorises `by`, is atomic and keeps history."""
