"""Text helpers shared by the apps: unique slugs and cleaned tag lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.text import slugify


def unique_slug(model: type[Model], text: str, *, max_length: int, fallback: str, field: str = "slug") -> str:
    """slugify(text), made unique among `model` rows by a -2, -3 … suffix."""
    base = slugify(text)[:max_length] or fallback
    slug, n = base, 2
    while model._default_manager.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def tags_normalise(values) -> list[str]:
    """Whitespace folded, empties and case-insensitive repeats dropped, order kept."""
    seen, tags = set(), []
    for value in values or []:
        value = " ".join(str(value).split())
        if value and value.lower() not in seen:
            seen.add(value.lower())
            tags.append(value)
    return tags


def tags_clean(values, *, max_items: int = 20, max_length: int = 60, what: str = "tag") -> list[str]:
    """Normalised tags within the limits, else a ValidationError a person can act on."""
    tags = tags_normalise(values)
    too_long = next((t for t in tags if len(t) > max_length), None)
    if too_long is not None:
        raise ValidationError(f"Keep each {what} to {max_length} characters (“{too_long[:30]}…”).")
    if len(tags) > max_items:
        raise ValidationError(f"At most {max_items} {what}s; you gave {len(tags)}.")
    return tags
