"""Writes of involvement: every write authorises `by`, is atomic and keeps history."""
