"""Brand pages: brand.py (dashboard, create and switch, onboarding, settings, members and
invitations) and connections.py (linked accounts)."""
