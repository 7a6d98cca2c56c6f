"""Sync with the relay: the HTTP client and the background worker. No Qt."""
