"""Brands, their members, and the access rule for every brand-owned object."""
