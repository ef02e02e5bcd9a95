"""Writes of framework: every write authorises `by`, is atomic and keeps history."""
