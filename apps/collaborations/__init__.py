"""Influencer portal and the brand-influencer marketplace (offers, collaborations, payments)."""
