"""Analytics reads: reports.py (a brand's and the platform's numbers over a period) and metrics.py
(a post's publications with their metrics over time)."""
