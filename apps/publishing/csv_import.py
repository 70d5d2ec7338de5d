"""CSV import of posts: read a spreadsheet's rows, show each as it will be created (the dry run,
with every row's problems), then create each good row as an imported draft or a scheduled post,
all or nothing per row.

The file (the template CSV, `csv_template`, shows it with examples):
- UTF-8 (a byte-order mark is fine); comma-separated with a header row; at most 5,000 rows and
  `MAX_BYTES`.
- Columns: `text` and `platforms` (x, linkedin, sandbox; several separated by commas) are
  required; the time is either `date` (YYYY-MM-DD) and `time` (HH:MM, 24-hour) on the brand's
  clock, or `datetime` in ISO 8601 (with an offset such as +01:00 or Z it is that instant;
  without one, the brand's clock). A row with no time becomes a draft without a planned time.
- An X thread: `text` is its first tweet and `text_2`, `text_3` … (up to 25) the next ones;
  LinkedIn and the Sandbox (without X) publish the parts joined by blank lines.
- `media`: names of files in the brand's media library (or URLs), separated by ";" or "|". A
  name not in the library is reported; as posts cannot carry media yet (the library has no link
  to posts), a row that names media is refused with that reason, as is one with a
  `first_comment`. Other columns are ignored and listed.

Formula injection (a cell a spreadsheet would run): cells are never evaluated here, but a file
that carries formulas is refused at the cell: a text cell starting with "=", or with "+", "-" or
"@" followed by a function call or a DDE link ("@SUM(", "-cmd|"), and any other cell starting
with one of =, +, -, @. Posts may start with an @mention or a "-" bullet. A leading apostrophe
before one of those characters (a spreadsheet's own escape, and what the CSV export writes) is
removed, so an exported file imports back to the same text."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.brands.models import ConnectionStatus, SocialConnection
from apps.core import zones
from apps.core.vocabulary import LINKEDIN, SANDBOX, X, platform_label
from apps.media.models import MediaAsset
from apps.posts.approvals import approval_check
from apps.posts.composer import (
    COMPOSER_PLATFORMS,
    TEXT_MAX,
    ComposerDraft,
    composer_post_save,
    composer_problems,
)
from apps.posts.limits import X_THREAD_MAX_TWEETS
from apps.posts.models import Post, PostOrigin
from apps.posts.services import post_approve

from .services.schedule import post_schedule
from .timing import NonexistentLocalTime, describe_local_time

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
REQUIRED = ("text", "platforms")
KNOWN = ("text", "platforms", "date", "time", "datetime", "first_comment", "media")
THREAD_COLUMN = re.compile(r"^text_(\d+)$")
MODES = ("draft", "schedule")
PLATFORM_NAMES = {"x": X, "twitter": X, "linkedin": LINKEDIN, "sandbox": SANDBOX}
_FORMULA_TEXT = re.compile(r"^(=|[+\-@]\s*[A-Za-z_.]+\s*[(|])")
_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")


class CsvRefused(ValueError):
    """The whole file is refused (encoding, size, rows, columns): the message says why and what to do."""


@dataclass
class ImportRow:
    """One data row as it will be created: line number in the file, platforms, the time (UTC and
    as the brand's clock shows it), the text per platform, and its problems (none: importable)."""

    line: int
    platforms: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    at: datetime | None = None
    local: str = ""
    when_given: str = ""  # the time as the file wrote it (shown when it could not be read)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    draft: ComposerDraft | None = None
    post_id: int | None = None
    outcome: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def labels(self) -> str:
        return ", ".join(platform_label(p) for p in self.platforms)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "platforms": self.platforms,
            "parts": self.parts,
            "at": self.at.isoformat() if self.at else None,
            "local": self.local,
            "errors": self.errors,
            "notes": self.notes,
            "post_id": self.post_id,
            "outcome": self.outcome,
        }


@dataclass
class ImportPlan:
    """The dry run: every row, the columns ignored, and counts."""

    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]


@dataclass
class ImportResult:
    """After the import: the rows created, those skipped or failed (each with its reason)."""

    plan: ImportPlan
    mode: str
    created: list[ImportRow] = field(default_factory=list)
    failed: list[ImportRow] = field(default_factory=list)

    @property
    def summary(self) -> str:
        verb = "scheduled" if self.mode == "schedule" else "created as drafts"
        text = f"{len(self.created)} post{'s' if len(self.created) != 1 else ''} {verb}"
        if self.failed:
            text += f"; {len(self.failed)} row{'s' if len(self.failed) != 1 else ''} not imported"
        return text + "."


# --- reading the file -----------------------------------------------------------------------------


def csv_decode(data: bytes) -> str:
    """The file's text. UTF-8 (with or without a byte-order mark) only; anything else is refused
    with the encoding it seems to be and how to save it as UTF-8."""
    if len(data) > MAX_BYTES:
        raise CsvRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise CsvRefused("The file is empty. Download the template CSV and fill it in.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CsvRefused(
            "The file is UTF-16 (Excel's 'Unicode Text'). Save it as 'CSV UTF-8 (Comma delimited)' and upload again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp1252")
            guess = "Windows-1252 (Excel's plain 'CSV')"
        except UnicodeDecodeError:
            guess = "Latin-1 or another legacy encoding"
        raise CsvRefused(
            f"The file is not UTF-8 (line {line} has a byte UTF-8 does not allow; it looks like {guess}). "
            "Save it as 'CSV UTF-8 (Comma delimited)' and upload again."
        ) from None


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header (lower-cased, trimmed) and the data rows (blank ones skipped); over MAX_ROWS is
    refused as soon as the row after the limit is read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvRefused("The file is empty. Download the template CSV and fill it in.") from None
    except csv.Error as exc:
        raise CsvRefused(f"The file is not a readable CSV: {exc}.") from None
    header = [h.strip().lower() for h in header]
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise CsvRefused(
                    f"The file has more than {MAX_ROWS:,} rows. Import at most {MAX_ROWS:,} at a time: split the file."
                )
    except csv.Error as exc:
        raise CsvRefused(f"Line {reader.line_num} is not readable CSV: {exc}.") from None
    if not rows:
        raise CsvRefused("The file has a header but no rows.")
    return header, rows


def _columns(header: list[str]) -> tuple[dict[str, int], list[tuple[int, int]], list[str]]:
    """Where each known column is, the thread columns (part number, index) and the ignored names."""
    missing = [c for c in REQUIRED if c not in header]
    has_time = "datetime" in header or ("date" in header and "time" in header)
    if missing or not has_time:
        needed = missing + ([] if has_time else ["date and time, or datetime"])
        raise CsvRefused(
            f"Missing column{'s' if len(needed) > 1 else ''}: {', '.join(needed)}. "
            "The first row must name the columns as in the template CSV."
        )
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise CsvRefused(f"Column named twice: {', '.join(dupes)}.")
    known = {name: i for i, name in enumerate(header) if name in KNOWN}
    thread, ignored = [], []
    for i, name in enumerate(header):
        match = THREAD_COLUMN.match(name)
        if match and 2 <= int(match.group(1)) <= X_THREAD_MAX_TWEETS:
            thread.append((int(match.group(1)), i))
        elif name not in KNOWN:
            ignored.append(name or f"(column {i + 1} without a name)")
    return known, sorted(thread), ignored


# --- one row --------------------------------------------------------------------------------------


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index]


def _text_cell(value: str, name: str, errors: list[str]) -> str:
    value = value.strip()
    if _FORMULA_TEXT.match(value):
        errors.append(
            f"{name} starts like a spreadsheet formula ({value[:12]}…). If the post really starts so, "
            "begin the cell with an apostrophe: '" + value[:1]
        )
        return ""
    return _ESCAPED.sub("", value)


def _plain_cell(value: str, name: str, errors: list[str]) -> str:
    value = value.strip()
    if value[:1] in ("=", "+", "-", "@"):
        errors.append(f"{name} starts with {value[:1]!r} like a spreadsheet formula; write the value itself.")
        return ""
    return value


def _platforms(value: str, errors: list[str]) -> list[str]:
    names = [n.strip().lower() for n in re.split(r"[,;|/\s]+", value) if n.strip()]
    if not names:
        errors.append("No platform: write x, linkedin or sandbox (several separated by commas).")
        return []
    unknown = [n for n in names if n not in PLATFORM_NAMES]
    if unknown:
        errors.append(f"Unknown platform: {', '.join(unknown)}. Use x, linkedin or sandbox.")
    chosen = {PLATFORM_NAMES[n] for n in names if n in PLATFORM_NAMES}
    return [p for p in COMPOSER_PLATFORMS if p in chosen]


def _when(row_cells: dict[str, str], tz_name: str, now: datetime, errors: list[str], notes: list[str]):
    """The row's instant (aware UTC) and how the brand's clock shows it, or (None, "")."""
    day, clock, stamp = row_cells["date"], row_cells["time"], row_cells["datetime"]
    if stamp and (day or clock):
        errors.append("Fill either date and time, or datetime — not both.")
        return None, ""
    if not (stamp or day or clock):
        return None, ""
    if stamp:
        try:
            parsed = datetime.fromisoformat(stamp.replace(" ", "T", 1) if " " in stamp else stamp)
        except ValueError:
            errors.append(f"datetime {stamp!r} is not a time: write it like 2026-03-08T09:30+01:00.")
            return None, ""
        if parsed.tzinfo is None:
            local = parsed
        else:
            return _future(parsed.astimezone(UTC), tz_name, now, errors)
    else:
        if not (day and clock):
            errors.append("Fill both date and time (or neither, for a draft without a time).")
            return None, ""
        try:
            d = datetime.strptime(day, "%Y-%m-%d").date()
        except ValueError:
            errors.append(f"date {day!r} is not a date: write it like 2026-03-08.")
            return None, ""
        try:
            t = dtime.fromisoformat(clock if len(clock) > 4 else clock.zfill(5))
        except ValueError:
            errors.append(f"time {clock!r} is not a time: write it like 09:30 (24-hour).")
            return None, ""
        local = datetime.combine(d, t.replace(tzinfo=None))
    try:
        described = describe_local_time(local.replace(second=0, microsecond=0), tz_name)
    except NonexistentLocalTime as exc:
        errors.append(str(exc))
        return None, ""
    if described.note:
        notes.append(described.note)
    return _future(described.utc, tz_name, now, errors)


def _future(at: datetime, tz_name: str, now: datetime, errors: list[str]):
    local = at.astimezone(zones.zone(tz_name))
    shown = f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"
    if at < now:
        errors.append(f"{shown} has already passed. Pick a time in the future, or leave the time empty.")
    return at, shown


def _row(
    *,
    line: int,
    row: list[str],
    known: dict,
    thread: list,
    tz_name: str,
    now: datetime,
    mode: str,
    library: set[str],
) -> ImportRow:
    result = ImportRow(line=line)
    errors, notes = result.errors, result.notes
    text = _text_cell(_cell(row, known.get("text")), "text", errors)
    more = [_text_cell(_cell(row, i), f"text_{n}", errors) for n, i in thread]
    while more and not more[-1]:
        more.pop()
    if any(not part for part in more):
        errors.append("A thread part is empty between two filled ones; fill text_2, text_3 … in order.")
    platforms = _platforms(_plain_cell(_cell(row, known.get("platforms")), "platforms", errors), errors)
    cells = {
        name: _plain_cell(_cell(row, known.get(name)), name, errors) for name in ("date", "time", "datetime")
    }
    result.at, result.local = _when(cells, tz_name, now, errors, notes)
    result.when_given = " ".join(v for v in (cells["date"], cells["time"], cells["datetime"]) if v)
    if _text_cell(_cell(row, known.get("first_comment")), "first_comment", errors):
        errors.append("first_comment: first comments are not supported yet; leave the column empty.")
    media = _plain_cell(_cell(row, known.get("media")), "media", errors)
    if media:
        names = [n.strip() for n in re.split(r"[;|\n]", media) if n.strip()]
        missing = [n for n in names if not n.lower().startswith(("http://", "https://")) and n not in library]
        if missing:
            errors.append(f"media: not in the media library: {', '.join(missing)}.")
        errors.append(
            "media: media columns are not supported yet (posts cannot carry media yet); leave the column empty."
        )
    result.platforms = platforms
    parts = [p for p in [text, *more] if p]
    result.parts = parts
    if not text:
        if not any("text starts like" in e for e in errors):
            errors.append("text is empty: write the post.")
    elif any(len(p) > TEXT_MAX for p in parts):
        errors.append(f"A text is longer than {TEXT_MAX:,} characters.")
    if mode == "schedule" and result.at is None and not any("date" in e or "time" in e for e in errors):
        errors.append("No time: scheduling needs date and time (or datetime). Import as drafts instead.")
    if len(parts) > 1 and X not in platforms and platforms:
        notes.append("The thread parts are joined into one text (only X posts threads).")
    if platforms and text and not errors:
        draft = ComposerDraft(
            text="\n\n".join(parts),
            platforms=platforms,
            thread=parts if len(parts) > 1 else [],
            planned_for=result.at,
        )
        for platform, messages in composer_problems(draft).items():
            errors.extend(f"{platform_label(platform)}: {m}" for m in messages)
        if not errors:
            result.draft = draft
    return result


# --- the dry run and the import -------------------------------------------------------------------


def csv_import_plan(
    *, brand, data: bytes | str, mode: str = "draft", now: datetime | None = None, user=None
) -> ImportPlan:
    """The dry run: every row as it will be created, with its problems. Writes nothing. Raises
    CsvRefused when the whole file is refused (also when `user` may not approve the posts it would
    schedule, under the brand's approval setting)."""
    if mode not in MODES:
        raise CsvRefused("Pick whether to create drafts or schedule the posts.")
    if mode == "schedule" and user is not None:
        try:
            # The rows would be this user's own posts: the approval rules for one of them.
            approval_check(post=Post(brand=brand, created_by=user), user=user)
        except ValidationError as exc:
            raise CsvRefused(
                f"{' '.join(exc.messages)} Import the posts as drafts instead, then submit them for approval."
            ) from None
    text = csv_decode(data) if isinstance(data, bytes) else data
    if isinstance(data, str) and len(text.encode()) > MAX_BYTES:
        csv_decode(text.encode())  # the size message
    header, rows = _rows(text)
    known, thread, ignored = _columns(header)
    now = now or timezone.now()
    tz_name = brand.timezone or "UTC"
    library: set[str] = set()
    if "media" in known:
        # One query: the names of the brand's library files that the rows mention.
        wanted = {
            n.strip() for row in rows for n in re.split(r"[;|\n]", _cell(row, known["media"])) if n.strip()
        }
        library = set(
            MediaAsset.objects.filter(brand=brand, original_name__in=wanted).values_list(
                "original_name", flat=True
            )
        )
    accounts = _accounts(brand) if mode == "schedule" else None
    planned = [
        _row(
            line=i + 2,
            row=row,
            known=known,
            thread=thread,
            tz_name=tz_name,
            now=now,
            mode=mode,
            library=library,
        )
        for i, row in enumerate(rows)
    ]
    if accounts is not None:
        for row in planned:
            if row.ok and not (accounts["sandbox"] or set(row.platforms) & accounts["connected"]):
                row.errors.append(
                    f"No connected account can publish it: connect {row.labels} first, or import it as a draft."
                )
                row.draft = None
    return ImportPlan(rows=planned, ignored_columns=ignored)


def _accounts(brand) -> dict:
    """What scheduling can publish on (one query): the connected platforms, and whether the brand
    has its Sandbox account (where a post goes when none of its platforms is connected)."""
    rows = list(SocialConnection.objects.filter(brand=brand).values_list("platform", "status"))
    return {
        "sandbox": any(p == SANDBOX for p, _ in rows),
        "connected": {p for p, status in rows if p != SANDBOX and status == ConnectionStatus.CONNECTED},
    }


def csv_import_commit(
    *, brand, user, data: bytes | str, mode: str = "draft", now: datetime | None = None
) -> ImportResult:
    """Import the file: the dry run again (times may have passed since), then each good row all
    or nothing — the post, its copies and (mode "schedule") its approval and its publications are
    all created, or nothing of the row is (a savepoint per row). The rows share one transaction,
    so a thousand rows cost one commit, not a thousand; rows with problems are skipped."""
    plan = csv_import_plan(brand=brand, data=data, mode=mode, now=now, user=user)
    result = ImportResult(plan=plan, mode=mode)
    result.failed.extend(plan.bad)
    with transaction.atomic():
        for row in plan.good:
            try:
                with transaction.atomic():
                    post = composer_post_save(
                        brand=brand, user=user, draft=row.draft, strict=True, origin=PostOrigin.IMPORTED
                    )
                    if mode == "schedule":
                        post = post_approve(post=post, user=user)
                        post_schedule(post=post, user=user, at=row.at)
            except ValidationError as exc:
                row.errors.extend(_messages(exc))
                result.failed.append(row)
                continue
            row.post_id = post.pk
            row.outcome = "scheduled" if mode == "schedule" else "draft"
            result.created.append(row)
    result.failed.sort(key=lambda r: r.line)
    return result


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [
            (f"{platform_label(k)}: " if k in COMPOSER_PLATFORMS else "") + m
            for k, ms in exc.message_dict.items()
            for m in ms
        ]
    return list(exc.messages)


# --- the template ---------------------------------------------------------------------------------


def csv_template(*, now: datetime | None = None) -> str:
    """A template CSV with one example of each kind of row, dated next month."""
    now = now or timezone.now()
    day = (now + timedelta(days=32)).date()
    rows = [
        ["text", "platforms", "date", "time", "datetime", "text_2", "text_3", "first_comment", "media"],
        [
            "Our spring collection is out today. Which colour is yours?",
            "x, linkedin",
            f"{day:%Y-%m-%d}",
            "09:30",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "Three things we learned shipping 100 orders a day:",
            "x",
            f"{day + timedelta(days=1):%Y-%m-%d}",
            "12:00",
            "",
            "1. Pack the night before.",
            "2. Label every shelf.",
            "",
            "",
        ],
        [
            "Hiring: a warehouse lead in Leeds. Apply on our site.",
            "linkedin",
            "",
            "",
            f"{day + timedelta(days=2):%Y-%m-%d}T08:00+00:00",
            "",
            "",
            "",
            "",
        ],
        ["A draft with no time yet: plan it later.", "sandbox", "", "", "", "", "", "", ""],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
