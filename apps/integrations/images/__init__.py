"""Branded graphics: template graphics drawn with Pillow, an optional Stability AI background, and
their storage. Import from the modules (base, templates, stability, storage)."""
