"""Writes of records: every write authorises `by`, is atomic and keeps history."""
