"""Reads of walkrounds."""
