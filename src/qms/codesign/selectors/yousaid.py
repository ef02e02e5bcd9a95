"""Reads of yousaid."""
