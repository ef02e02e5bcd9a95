"""Writes of claims: every write authorises `by`, is atomic and keeps history."""
