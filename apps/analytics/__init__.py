"""Engagement tracking, the weekly learning loop and analytics."""
