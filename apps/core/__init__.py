"""Shared bits: base models, health, metrics, error pages, demo data, periodic schedules."""
