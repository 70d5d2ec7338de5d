"""Brand URLs, mounted by project.urls: brand.py (namespace "brands", /brand/…) and
connections.py (namespace "connections", /brand/<id>/connections/…)."""
