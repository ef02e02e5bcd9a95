"""Writes of gaps: every write authorises `by`, is atomic and keeps history."""
