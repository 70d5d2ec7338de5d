"""CSV export of a brand's posts with the posts list's filters (status, platform, trend), in the
columns the import reads back (text, platforms, date, time on the brand's clock, text_2 …) plus
what it cannot set (id, status, origin, trend, created, published).

Every cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe; the import removes it again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from apps.core import zones
from apps.core.vocabulary import LINKEDIN, SANDBOX, X
from apps.posts import selectors as post_selectors
from apps.posts.forms import FilterForm
from apps.posts.models import PostFormat

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
ORDER = (X, LINKEDIN, SANDBOX)


def csv_cell(value) -> str:
    """A cell safe to open in a spreadsheet: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def export_form(brand, query=None) -> FilterForm:
    """The posts list's filter form (status, platform, the brand's trends)."""
    return FilterForm(query or None, trends=post_selectors.post_trends(brand=brand))


def export_filters(brand, query) -> dict:
    """The posts list's filters from a query (an invalid one filters nothing, as on the list)."""
    form = export_form(brand, query)
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "status": data.get("status") or "",
        "platform": data.get("platform") or "",
        "trend_id": data.get("trend"),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _post_row(post, tz_name: str, thread_columns: int) -> list[str]:
    copies = {c.platform: c.parts for c in post.copies.all()}
    platforms = [p for p in ORDER if p in copies] + sorted(p for p in copies if p not in ORDER)
    if post.post_format == PostFormat.THREAD and copies.get(X):
        parts = list(copies[X])
    else:
        first = next((copies[p] for p in (LINKEDIN, X, SANDBOX) if copies.get(p)), [])
        parts = ["\n\n".join(first)] if first else [""]
    local = post.scheduled_for.astimezone(zones.zone(tz_name)) if post.scheduled_for else None
    parts = parts[: thread_columns + 1] + [""] * (thread_columns + 1 - len(parts))
    return [
        str(post.pk),
        post.status,
        post.origin,
        parts[0],
        ", ".join(platforms),
        f"{local:%Y-%m-%d}" if local else "",
        f"{local:%H:%M}" if local else "",
        *parts[1:],
        post.trend.title if post.trend_id else "",
        post.created_at.isoformat(timespec="seconds"),
        post.published_at.isoformat(timespec="seconds") if post.published_at else "",
    ]


def csv_export_rows(
    *, brand, status: str = "", platform: str = "", trend_id: int | None = None
) -> Iterator[list[str]]:
    """The header and one row per post (newest first), every cell neutralised."""
    posts = post_selectors.post_list(brand=brand, status=status, platform=platform, trend_id=trend_id)
    thread_columns = 0
    for post in posts.filter(post_format=PostFormat.THREAD):
        thread_columns = max(
            thread_columns, *(len(c.parts) - 1 for c in post.copies.all() if c.platform == X), 0
        )
    header = [
        "id",
        "status",
        "origin",
        "text",
        "platforms",
        "date",
        "time",
        *(f"text_{n}" for n in range(2, thread_columns + 2)),
        "trend",
        "created",
        "published",
    ]
    yield header
    tz_name = brand.timezone or "UTC"
    for post in posts.iterator(chunk_size=500):
        yield [csv_cell(v) for v in _post_row(post, tz_name, thread_columns)]


def csv_export_lines(**filters) -> Iterator[str]:
    """The export as CSV lines (for a streaming response)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"  # a BOM: Excel then reads the file as UTF-8
    for row in csv_export_rows(**filters):
        yield writer.writerow(row)


def csv_export_text(**filters) -> str:
    out = io.StringIO()
    for line in csv_export_lines(**filters):
        out.write(line)
    return out.getvalue()
