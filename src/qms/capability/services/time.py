"""Writes of time: every write authorises `by`, is atomic and keeps history."""
