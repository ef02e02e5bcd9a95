"""Writes of walkrounds: every write authorises `by`, is atomic and keeps history."""
