"""Writes of coaching: every write authorises `by`, is atomic and keeps history."""
