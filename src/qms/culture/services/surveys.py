"""Writes of surveys: every write authorises `by`, is atomic and keeps history."""
