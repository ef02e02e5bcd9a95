"""Writes of recognition: every write authorises `by`, is atomic and keeps history."""
