"""Changes to memes and their templates: importing a folder of template images with its config,\nmaking memes, votes and reactions, moderation, and user uploads reviewed by staff."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from apps.integrations.moderation.registry import offensive_words
from apps.memes import generation, render, tasks
from apps.memes.models import REACTIONS, Meme, MemeReaction, MemeTemplate, MemeVote, normalize_tags
from apps.notifications.services import notification_create

logger = logging.getLogger(__name__)

STARTER_DIR = Path(__file__).resolve().parent / "starter"
CONFIG_NAME = "templates.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
BOX_ALIGN = {"left", "center", "right"}
BOX_VALIGN = {"top", "middle", "bottom"}
ENTRY_FIELDS = {
    "file",
    "name",
    "slug",
    "tags",
    "boxes",
    "default_boxes",
    "source",
    "licence",
    "license",
    "author",
}


class TemplateEntryError(ValueError):
    """One config entry cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry label, reason)


@dataclass(frozen=True)
class ImageInfo:
    data: bytes
    extension: str
    width: int
    height: int
    frame_count: int
    scaled_from: tuple[int, int] | None = None  # the size given, when it was scaled down to fit


def template_image_inspect(data: bytes) -> ImageInfo:
    """Check that `data` is a JPEG, PNG, GIF or WebP within the renderer's pixel and frame limits,
    scale it down once when its decoded frames would not fit a render's memory budget
    (``render.template_fit_budget``), check that every frame decodes, and return the image to
    store with its dimensions. Raises ``render.RenderError``."""
    if len(data) > MAX_FILE_BYTES:
        raise render.RenderError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    im = render.open_template(data)  # header checks: not an image, pixels, frames
    if im.format not in IMAGE_FORMATS:
        raise render.RenderError(
            f"{im.format or 'This'} images are not accepted; use JPEG, PNG, GIF or WebP."
        )
    fitted = render.template_fit_budget(data)
    if fitted.scaled_from is not None:
        data = fitted.data
        im = render.open_template(data)
    frames = getattr(im, "n_frames", 1)
    try:
        for index in range(frames):
            im.seek(index)
            im.load()
    except Image.DecompressionBombError as exc:
        raise render.RenderError("The image has too many pixels.") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise render.RenderError("The image could not be decoded.") from exc
    return ImageInfo(data, IMAGE_FORMATS[im.format], im.size[0], im.size[1], frames, fitted.scaled_from)


def _clean_boxes(raw) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TemplateEntryError("boxes must be a list.")
    boxes = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise TemplateEntryError(f"box {i} must be an object.")
        box = render.TextBox()
        values = {}
        for key in ("x", "y", "w", "h"):
            value = item.get(key, getattr(box, key))
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise TemplateEntryError(f"box {i}: {key} must be a fraction between 0 and 1.")
            values[key] = float(value)
        if values["w"] <= 0 or values["h"] <= 0:
            raise TemplateEntryError(f"box {i}: w and h must be above 0.")
        align, valign = item.get("align", box.align), item.get("valign", box.valign)
        if align not in BOX_ALIGN:
            raise TemplateEntryError(f"box {i}: align must be one of {', '.join(sorted(BOX_ALIGN))}.")
        if valign not in BOX_VALIGN:
            raise TemplateEntryError(f"box {i}: valign must be one of {', '.join(sorted(BOX_VALIGN))}.")
        boxes.append(
            {**values, "align": align, "valign": valign, "uppercase": bool(item.get("uppercase", True))}
        )
    return boxes


def _read_entry(entry, folder: Path) -> tuple[dict, ImageInfo]:
    """The model fields and the checked image of one config entry. Raises TemplateEntryError."""
    if not isinstance(entry, dict):
        raise TemplateEntryError("the entry is not an object.")
    unknown = set(entry) - ENTRY_FIELDS
    if unknown:
        raise TemplateEntryError(f"unknown field(s): {', '.join(sorted(unknown))}.")
    file, name = entry.get("file"), entry.get("name")
    if not isinstance(file, str) or not file.strip():
        raise TemplateEntryError("file is required.")
    if not isinstance(name, str) or not name.strip():
        raise TemplateEntryError("name is required.")
    slug = slugify(entry.get("slug") or name)[:140]
    if not slug:
        raise TemplateEntryError("the slug is empty.")
    root = folder.resolve()
    path = (root / file).resolve()
    if not path.is_relative_to(root):
        raise TemplateEntryError(f"{file} is outside the folder.")
    if not path.is_file():
        raise TemplateEntryError(f"{file} does not exist.")
    try:
        info = template_image_inspect(path.read_bytes())
    except render.RenderError as exc:
        raise TemplateEntryError(f"{file}: {exc}") from exc
    tags = entry.get("tags", [])
    if not isinstance(tags, list | str):
        raise TemplateEntryError("tags must be a list of words.")
    text = {key: entry.get(key, "") for key in ("source", "licence", "author")}
    text["licence"] = text["licence"] or entry.get("license", "")
    for key, value in text.items():
        if not isinstance(value, str):
            raise TemplateEntryError(f"{key} must be text.")
    fields = {
        "name": name.strip()[:120],
        "slug": slug,
        "tags": normalize_tags(tags)[:500],
        "default_boxes": _clean_boxes(entry.get("boxes", entry.get("default_boxes"))),
        "source": text["source"][:500],
        "licence": text["licence"][:200],
        "author": text["author"][:200],
        "width": info.width,
        "height": info.height,
        "frame_count": info.frame_count,
        "is_animated": info.frame_count > 1,
        "image_hash": hashlib.sha256(info.data).hexdigest(),
    }
    return fields, info


def _stored_bytes(template: MemeTemplate) -> bytes | None:
    if not template.image:
        return None
    try:
        with template.image.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def _save_entry(fields: dict, info: ImageInfo, *, status: str, update: bool, uploaded_by) -> str | None:
    """Create or update one template; returns "created", "updated" or None when it exists and
    `update` is off. The image is stored before the row is written and removed again when the write
    fails, so no entry is ever half-imported."""
    stored_name = None
    old_name = None
    try:
        with transaction.atomic():
            template = MemeTemplate.objects.select_for_update().filter(slug=fields["slug"]).first()
            created = template is None
            if not created and not update:
                return None
            if created:
                template = MemeTemplate(status=status, uploaded_by=uploaded_by)
            for key, value in fields.items():
                setattr(template, key, value)
            if not created:
                template.status = status
            if created or _stored_bytes(template) != info.data:
                old_name = None if created else template.image.name
                template.image.save(f"{fields['slug']}{info.extension}", ContentFile(info.data), save=False)
                stored_name = template.image.name
            template.full_clean(exclude=["image", "uploaded_by"])
            template.save()
    except Exception:
        if stored_name:
            template.image.storage.delete(stored_name)
        raise
    if old_name and old_name != stored_name:
        storage = template.image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return "created" if created else "updated"


def template_import(
    *,
    folder: Path | str | None = None,
    config: Path | str | None = None,
    status: str = MemeTemplate.Status.APPROVED,
    update: bool = False,
    uploaded_by=None,
) -> ImportReport:
    """Import the templates listed in `config` (default: ``templates.json`` in `folder`; default
    folder: the starter set). Each entry is checked and stored on its own: a broken entry is
    skipped with its reason and the others still import. See ``import_templates`` for the format."""
    if status not in MemeTemplate.Status.values:
        raise ValueError(f"status must be one of {', '.join(MemeTemplate.Status.values)}.")
    folder = Path(folder) if folder else STARTER_DIR
    config_path = Path(config) if config else folder / CONFIG_NAME
    if not config_path.is_absolute() and not config_path.exists():
        config_path = folder / config_path
    try:
        entries = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Cannot read the config {config_path}: {exc}") from exc
    if not isinstance(entries, list):
        raise ValueError("The config must be a JSON list of template entries.")

    report = ImportReport()
    seen: set[str] = set()
    for index, entry in enumerate(entries, 1):
        label = f"#{index}"
        if isinstance(entry, dict):
            label = slugify(str(entry.get("slug") or entry.get("name") or "")) or str(
                entry.get("file") or label
            )
        try:
            fields, info = _read_entry(entry, folder)
            label = fields["slug"]
            if label in seen:
                raise TemplateEntryError("the slug appears twice in the config.")
            seen.add(label)
            outcome = _save_entry(fields, info, status=status, update=update, uploaded_by=uploaded_by)
        except TemplateEntryError as exc:
            report.skipped.append((label, str(exc)))
            continue
        except Exception as exc:  # a database or storage failure skips this entry only
            logger.exception("memes.template_import_failed", extra={"entry": label})
            report.skipped.append((label, f"could not be saved: {exc.__class__.__name__}: {exc}"))
            continue
        if outcome == "created":
            report.created.append(label)
        elif outcome == "updated":
            report.updated.append(label)
        else:
            report.skipped.append((label, "already exists (use --update to change it)."))
    return report


def rendered_ensure(
    *,
    spec: generation.MemeSpec,
    size: str,
    key: str | None = None,
    background: bool = False,
    wait: float | None = None,
) -> generation.StoredRender:
    """The stored file of `spec` at `size`, rendered first when missing. With `background` (a web
    request), an animated render is left to the worker: queued once, waited for up to `wait`
    seconds (settings.MEME_RENDER_WAIT), then ``generation.RenderPending`` is raised (the file
    appears under its name when done). Raises ``render.RenderError`` when it cannot be rendered,
    the worker's reason included."""
    key = key or spec.key
    if not (background and spec.animated):
        return generation.rendered_get_or_create(spec, size, key=key)
    name = generation.rendered_name(key, size, spec.format)
    if default_storage.exists(name):
        return generation.StoredRender(name, True)
    failure = generation.render_failure(name)
    if failure:
        raise render.RenderError(failure)
    if generation.render_claim(name):
        try:
            tasks.meme_render_task.delay(generation.spec_data(spec), size, key)
        except Exception:  # broker down: the budget keeps a render affordable here, so draw it now
            logger.exception("memes.render_enqueue_failed", extra={"render": name})
            generation.render_release(name)
            return generation.rendered_get_or_create(spec, size, key=key)
    deadline = time.monotonic() + (generation.render_wait() if wait is None else wait)
    while True:
        if default_storage.exists(name):
            return generation.StoredRender(name, False)
        failure = generation.render_failure(name)
        if failure:
            raise render.RenderError(failure)
        if time.monotonic() >= deadline:
            raise generation.RenderPending(name)
        time.sleep(generation.RENDER_POLL)


def rendered_ready(*, meme: Meme, size: str) -> bool:
    """Whether `meme`'s file at `size` is stored (an animated one may still be rendering)."""
    return default_storage.exists(generation.rendered_name(meme.cache_key, size, meme.format))


def template_image_bytes(template: MemeTemplate) -> bytes:
    """The stored image of a template (for rendering)."""
    with template.image.open("rb") as handle:
        return handle.read()


# --- Memes ------------------------------------------------------------------------------------------


def caption_check(texts) -> str:
    """Why captions may not enter the public feed unseen ("" when they may): offensive words found
    by the same moderation check as post copy (apps.integrations.moderation: glin-profanity's word
    list by default, leetspeak and look-alike letters included)."""
    found = offensive_words(" \n ".join(t for t in texts if t))
    if not found:
        return ""
    return f"Offensive language: {', '.join(found[:5])}."


def _template_usable(template: MemeTemplate, user, *, public: bool) -> None:
    if template.status == MemeTemplate.Status.APPROVED:
        return
    if (
        template.uploaded_by_id == getattr(user, "pk", None)
        and template.status == MemeTemplate.Status.PENDING
    ):
        if public:
            raise ValidationError(
                {
                    "is_public": [
                        "Your template is waiting for staff approval; keep memes from it private until then."
                    ]
                }
            )
        return
    raise Http404("No such template.")


def meme_create(
    *,
    user,
    spec: generation.MemeSpec,
    size: str = "full",
    is_public: bool = False,
    background: bool = False,
    wait: float | None = None,
) -> tuple[Meme, bool]:
    """Render `spec` (or find it stored) and save the meme. Returns (meme, created): the same user
    asking for the same pixels again gets their earlier meme back (made public if asked), not a copy.

    With `background` (web requests) an animated meme is rendered by the worker; when it is not
    done within `wait` seconds (settings.MEME_RENDER_WAIT) the meme is saved all the same, its image still on its way
    (``rendered_ready`` tells; the file appears under the name in ``meme.images``).

    Public captions go through ``caption_check``; flagged ones wait for staff and do not reach the
    feed. The live feed and the trending set learn of a visible public meme after commit."""
    from apps.memes import events, trending

    if size not in render.SIZES:
        raise ValidationError({"size": [f"Unknown size {str(size)[:20]!r}; use {', '.join(render.SIZES)}."]})
    template = spec.template
    _template_usable(template, user, public=is_public)
    key = spec.key
    existing = Meme.objects.filter(owner=user, cache_key=key).select_related("template").first()
    if existing is not None:
        if size not in existing.images:
            name = _rendered_or_pending(spec, size, key=key, background=background, wait=wait)
            Meme.objects.filter(pk=existing.pk).update(images={**existing.images, size: name})
            existing.images = {**existing.images, size: name}
        if is_public and not existing.is_public:
            meme_publish(meme=existing, user=user)
        return existing, False
    name = _rendered_or_pending(spec, size, key=key, background=background, wait=wait)
    reason = caption_check(spec.texts) if is_public else ""
    with transaction.atomic():
        meme = Meme(
            template=template,
            owner=user,
            size=size,
            cache_key=key,
            images={size: name},
            is_public=is_public,
            moderation=Meme.Moderation.FLAGGED if reason else Meme.Moderation.VISIBLE,
            moderation_reason=reason,
            **spec.as_fields(),
        )
        meme.save()
        meme.hot = trending.meme_hot(meme)
        Meme.objects.filter(pk=meme.pk).update(hot=meme.hot)
        MemeTemplate.objects.filter(pk=template.pk).update(use_count=F("use_count") + 1)
        if meme.is_public and meme.moderation == Meme.Moderation.VISIBLE:
            transaction.on_commit(lambda: trending.trending_update(meme))
            transaction.on_commit(lambda: events.meme_published(meme.pk))
    return meme, True


def _rendered_or_pending(
    spec: generation.MemeSpec, size: str, *, key: str, background: bool, wait: float | None
) -> str:
    """The file name of `spec` at `size`, stored or on its way (rendered by the worker)."""
    try:
        return rendered_ensure(spec=spec, size=size, key=key, background=background, wait=wait).name
    except generation.RenderPending as pending:
        return pending.name
    except render.RenderError as exc:
        raise ValidationError({"template": [str(exc)]}) from exc


def meme_publish(*, meme: Meme, user) -> Meme:
    """Make the user's own private meme public (captions checked as for a new one)."""
    from apps.memes import events, trending

    if meme.owner_id != user.pk:
        raise Http404("No such meme.")
    if meme.is_public:
        return meme
    _template_usable(meme.template, user, public=True)
    reason = caption_check(meme.texts)
    with transaction.atomic():
        meme.is_public = True
        if reason:
            meme.moderation, meme.moderation_reason = Meme.Moderation.FLAGGED, reason
        meme.save(update_fields=["is_public", "moderation", "moderation_reason"])
        if meme.moderation == Meme.Moderation.VISIBLE:
            transaction.on_commit(lambda: trending.trending_update(meme))
            transaction.on_commit(lambda: events.meme_published(meme.pk))
    return meme


def meme_size_ensure(*, meme: Meme, size: str, background: bool = False, wait: float | None = None) -> str:
    """The stored file name of `meme` at `size`, rendering it on first request (an animated one
    by the worker with `background`: ``generation.RenderPending`` while it is on its way after
    `wait` seconds)."""
    name = generation.rendered_name(meme.cache_key, size, meme.format)
    if meme.images.get(size) == name and default_storage.exists(name):
        return name
    stored = rendered_ensure(
        spec=generation.spec_from_meme(meme),
        size=size,
        key=meme.cache_key,
        background=background,
        wait=wait,
    )
    if meme.images.get(size) != stored.name:
        with transaction.atomic():
            locked = Meme.objects.select_for_update().get(pk=meme.pk)
            locked.images = {**locked.images, size: stored.name}
            locked.save(update_fields=["images"])
        meme.images = locked.images
    return stored.name


def _recount(meme: Meme) -> None:
    """Counters and rank from the vote and reaction rows (exact under concurrency: the row lock
    serialises writers, and the counts are read inside it)."""
    from apps.memes import trending

    votes = dict(
        MemeVote.objects.filter(meme=meme)
        .values_list("value")
        .annotate(n=Count("pk"))
        .values_list("value", "n")
    )
    reactions = dict(
        MemeReaction.objects.filter(meme=meme)
        .values_list("emoji")
        .annotate(n=Count("pk"))
        .values_list("emoji", "n")
    )
    meme.up_votes, meme.down_votes = votes.get(1, 0), votes.get(-1, 0)
    meme.score = meme.up_votes - meme.down_votes
    meme.reactions = {emoji: reactions[emoji] for emoji in REACTIONS if reactions.get(emoji)}
    meme.hot = trending.meme_hot(meme)
    meme.save(update_fields=["up_votes", "down_votes", "score", "reactions", "hot"])


def _after_counts_change(meme: Meme) -> None:
    from apps.memes import events, trending

    if meme.is_public and meme.moderation == Meme.Moderation.VISIBLE:
        transaction.on_commit(lambda: trending.trending_update(meme))
        transaction.on_commit(lambda: events.meme_counts_changed(meme.pk))


def _check_interactive(meme: Meme, user) -> None:
    visible = meme.is_public and meme.moderation == Meme.Moderation.VISIBLE
    if not visible and meme.owner_id != user.pk and not user.is_staff:
        raise Http404("No such meme.")


def meme_vote(*, meme: Meme, user, value: int) -> tuple[Meme, int]:
    """Vote up (1) or down (-1), or take the vote back (0). One vote per user: voting the same way
    again changes nothing. Returns the meme with fresh counts and the user's vote."""
    if value not in (1, -1, 0):
        raise ValidationError({"value": ["value must be 1 (up), -1 (down) or 0 (remove)."]})
    _check_interactive(meme, user)
    with transaction.atomic():
        meme = Meme.objects.select_for_update().get(pk=meme.pk)
        current = MemeVote.objects.filter(meme=meme, user=user).first()
        if (current.value if current else 0) == value:
            return meme, value
        if value == 0:
            current.delete()
        elif current:
            current.value = value
            current.save(update_fields=["value"])
        else:
            MemeVote.objects.create(meme=meme, user=user, value=value)
        _recount(meme)
        _after_counts_change(meme)
    return meme, value


def meme_react(*, meme: Meme, user, emoji: str, on: bool | None = None) -> tuple[Meme, bool]:
    """Add or remove the user's `emoji` reaction (``on=None`` toggles). Returns the meme with fresh
    counts and whether the user's reaction is now on."""
    if emoji not in REACTIONS:
        raise ValidationError(
            {"emoji": [f"Unknown reaction {str(emoji)[:20]!r}; use {', '.join(REACTIONS)}."]}
        )
    _check_interactive(meme, user)
    with transaction.atomic():
        meme = Meme.objects.select_for_update().get(pk=meme.pk)
        current = MemeReaction.objects.filter(meme=meme, user=user, emoji=emoji).first()
        want = (current is None) if on is None else on
        if want == (current is not None):
            return meme, want
        if want:
            MemeReaction.objects.create(meme=meme, user=user, emoji=emoji)
        else:
            current.delete()
        _recount(meme)
        _after_counts_change(meme)
    return meme, want


def meme_delete(*, meme: Meme, user) -> None:
    """The owner or staff delete a meme; open feeds drop it. Stored files stay: other memes with
    the same pixels share them (content-addressed)."""
    from apps.memes import events, trending

    if meme.owner_id != user.pk and not user.is_staff:
        raise Http404("No such meme.")
    meme_id, was_live = meme.pk, meme.is_public and meme.moderation == Meme.Moderation.VISIBLE
    with transaction.atomic():
        meme.delete()
        transaction.on_commit(lambda: trending.trending_remove(meme_id))
        if was_live:
            transaction.on_commit(lambda: events.meme_removed(meme_id))


def meme_moderate(*, meme: Meme, user, action: str, reason: str = "") -> Meme:
    """Staff: ``hide`` a meme (it leaves open feeds at once), ``show`` a hidden or flagged one."""
    from apps.memes import events, trending

    if not user.is_staff:
        raise PermissionDenied("Only staff can moderate memes.")
    if action not in ("hide", "show"):
        raise ValidationError({"action": ["action must be hide or show."]})
    with transaction.atomic():
        meme = Meme.objects.select_for_update().select_related("template").get(pk=meme.pk)
        was_live = meme.is_public and meme.moderation == Meme.Moderation.VISIBLE
        if action == "hide":
            meme.moderation = Meme.Moderation.HIDDEN
            meme.moderation_reason = (reason or "Hidden by staff.")[:300]
        else:
            meme.moderation, meme.moderation_reason = Meme.Moderation.VISIBLE, ""
        meme.save(update_fields=["moderation", "moderation_reason"])
        now_live = meme.is_public and meme.moderation == Meme.Moderation.VISIBLE
        transaction.on_commit(lambda: trending.trending_update(meme))
        if was_live and not now_live:
            transaction.on_commit(lambda: events.meme_removed(meme.pk))
        elif now_live and not was_live:
            transaction.on_commit(lambda: events.meme_published(meme.pk))
    return meme


# --- User uploads -----------------------------------------------------------------------------------


def template_upload(*, user, name: str, data: bytes, tags="", boxes=None) -> MemeTemplate:
    """A user's own template: checked (type, size, pixels, frames, every frame decodes) and scaled
    down to the renderer's memory budget when larger, before anything is stored, then kept pending
    until staff approve it. ``template.scaled_from`` is the uploaded (width, height) when it was
    scaled down, else None (not stored). Raises ValidationError."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the template a name."]
    elif len(name) > 120:
        errors["name"] = ["The name is at most 120 characters."]
    try:
        info = template_image_inspect(data)
    except render.RenderError as exc:
        errors["image"] = [str(exc)]
        info = None
    try:
        clean_boxes = _clean_boxes(boxes or [])
    except TemplateEntryError as exc:
        errors["boxes"] = [str(exc)]
        clean_boxes = []
    if len(clean_boxes) > generation.MAX_BOXES:
        errors["boxes"] = [f"At most {generation.MAX_BOXES} boxes are allowed."]
    if errors:
        raise ValidationError(errors)
    base = slugify(name)[:100] or "template"
    slug = base
    while MemeTemplate.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    template = MemeTemplate(
        name=name,
        slug=slug,
        tags=normalize_tags(tags)[:500],
        default_boxes=clean_boxes,
        width=info.width,
        height=info.height,
        frame_count=info.frame_count,
        is_animated=info.frame_count > 1,
        status=MemeTemplate.Status.PENDING,
        uploaded_by=user,
        source="Uploaded by a user"
        + (f" (scaled down from {info.scaled_from[0]}×{info.scaled_from[1]})" if info.scaled_from else ""),
        author=(user.get_full_name() or user.email or "")[:200],
        image_hash=hashlib.sha256(info.data).hexdigest(),
    )
    template.image.save(f"{slug}{info.extension}", ContentFile(info.data), save=False)
    try:
        with transaction.atomic():
            template.save()
    except Exception:
        template.image.storage.delete(template.image.name)
        raise
    template.scaled_from = info.scaled_from
    return template


def template_review(*, template: MemeTemplate, user, approve: bool, note: str = "") -> MemeTemplate:
    """Staff approve or reject an uploaded template; the uploader is told either way."""

    if not user.is_staff:
        raise PermissionDenied("Only staff can review templates.")
    with transaction.atomic():
        template.status = MemeTemplate.Status.APPROVED if approve else MemeTemplate.Status.REJECTED
        template.review_note = "" if approve else (note or "")[:300]
        template.save(update_fields=["status", "review_note", "updated_at"])
        if template.uploaded_by_id:
            notification_create(
                user=template.uploaded_by,
                title=(
                    f"Your meme template “{template.name}” was approved"
                    if approve
                    else f"Your meme template “{template.name}” was not approved"
                ),
                body="" if approve else (note or "It did not meet the template guidelines."),
                url="/memes/make/",
            )
    return template


@dataclass(frozen=True)
class PruneReport:
    kept: int
    deleted: int
    deleted_bytes: int


def stored_renders_prune(*, older_than: timedelta | None = None, now: datetime | None = None) -> PruneReport:
    """Delete stored renders that no meme uses and that were made more than `older_than` ago
    (settings.MEME_RENDER_CACHE_DAYS): URL renders and previews nobody kept, and deleted memes'
    files. A meme's own files stay. Safe beside live traffic: a file deleted just as someone asks
    for it again is rendered again (the file view re-renders a known meme's missing size, and a
    render URL renders what is not stored)."""
    older_than = older_than or timedelta(days=settings.MEME_RENDER_CACHE_DAYS)
    cutoff = (now or timezone.now()) - older_than
    used: set[str] = set()
    for images in Meme.objects.values_list("images", flat=True).iterator(chunk_size=2000):
        used.update(name for name in (images or {}).values() if isinstance(name, str))
    storage = default_storage
    kept = deleted = deleted_bytes = 0
    try:
        folders, _ = storage.listdir(generation.RENDERED_DIR)
    except FileNotFoundError:
        return PruneReport(0, 0, 0)
    for folder in folders:
        _, files = storage.listdir(f"{generation.RENDERED_DIR}/{folder}")
        for file in files:
            name = f"{generation.RENDERED_DIR}/{folder}/{file}"
            try:
                if name in used or storage.get_modified_time(name) >= cutoff:
                    kept += 1
                    continue
                size = storage.size(name)
                storage.delete(name)
            except FileNotFoundError:  # deleted meanwhile
                continue
            deleted += 1
            deleted_bytes += size
    logger.info("memes: pruned %s stored renders (%s bytes), kept %s", deleted, deleted_bytes, kept)
    return PruneReport(kept, deleted, deleted_bytes)
