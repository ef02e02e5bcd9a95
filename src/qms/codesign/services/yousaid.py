"""Writes of yousaid: every write authorises `by`, is atomic and keeps history."""
