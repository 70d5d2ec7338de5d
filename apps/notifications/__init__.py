"""Notifications: stored, listed, marked read, pushed live over WebSocket and emailed."""
