"""Writes of partners: every write authorises `by`, is atomic and keeps history."""
