"""Trends from outside sources, scored for each brand (issue: trends every 6 hours)."""
