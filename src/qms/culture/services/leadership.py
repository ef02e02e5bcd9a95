"""Writes of leadership: every write authorises `by`, is atomic and keeps history."""
