"""API: publish now, schedule (brand-local or exact time), queue, unschedule, retry, batch, calendar,
an A/B test's two variants on the calendar and its result, and posts in and out as CSV (import
with a dry run, export with the list's filters)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.brands.selectors import brand_get_for_user, brand_scoped
from apps.posts.selectors import post_get_for_user

from . import ab, csv_export, csv_import, services
from .models import Publication
from .schemas import BatchIn, BatchOut, ImportOut, PublicationOut, ScheduleIn, TargetsIn

router = Router(tags=["publishing"])


def _invalid(exc: ValidationError) -> HttpError:
    if hasattr(exc, "message_dict"):
        message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        message = " ".join(exc.messages)
    return HttpError(422, message)


def _aware(at: datetime, tz_name: str) -> datetime:
    """An instant as given, or the brand's wall-clock time when it has no offset."""
    if timezone.is_aware(at):
        return at
    from .timing import brand_local_to_utc

    try:
        return brand_local_to_utc(at, tz_name)
    except ValueError as exc:
        raise HttpError(422, f"at: {exc}") from None


def _publications(post) -> list[Publication]:
    return list(post.publications.exclude(status="cancelled").order_by("scheduled_for", "pk"))


@router.get("/posts/{post_id}/publications", response=list[PublicationOut])
def publication_list(request, post_id: int):
    user = api_require_role(request, Role.BRAND)
    return _publications(post_get_for_user(user=user, post_id=post_id))


@router.post("/posts/{post_id}/publish", response={202: list[PublicationOut]})
def post_publish_now(request, post_id: int, payload: TargetsIn):
    """Publish an approved post now on its accounts. Poll the publications for the outcome."""
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_publish_now(post=post, user=user, connection_ids=payload.accounts)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(202, _publications(post))


@router.post("/posts/{post_id}/schedule", response=list[PublicationOut])
def post_schedule(request, post_id: int, payload: ScheduleIn):
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    at = _aware(payload.at, post.brand.timezone)
    try:
        services.post_schedule(post=post, user=user, at=at, connection_ids=payload.accounts)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _publications(post)


@router.post("/posts/{post_id}/queue", response=list[PublicationOut])
def post_queue(request, post_id: int, payload: TargetsIn):
    """Add the post to the brand's queue: its next free preferred slot."""
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_queue(post=post, user=user, connection_ids=payload.accounts)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _publications(post)


@router.post("/posts/{post_id}/unschedule", response=list[PublicationOut])
def post_unschedule(request, post_id: int):
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_unschedule(post=post, user=user)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _publications(post)


@router.post("/publications/{publication_id}/retry", response=PublicationOut)
def publication_retry(request, publication_id: int):
    user = api_require_role(request, Role.BRAND)
    publication = brand_scoped(Publication.objects, user=user).filter(pk=publication_id).first()
    if publication is None:
        raise Http404("No such publication.")
    try:
        return services.publication_retry(publication=publication, user=user)
    except ValidationError as exc:
        raise _invalid(exc) from None


@router.post("/brands/{brand_id}/posts/batch", response=BatchOut)
def posts_batch(request, brand_id: int, payload: BatchIn):
    """Approve, reject, schedule, queue or publish many posts in one request. Each post stands
    alone: `failed` says why the ones that could not be were refused."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    at = _aware(payload.at, brand.timezone) if payload.at else None
    try:
        result = services.posts_batch(
            brand=brand,
            user=user,
            action=payload.action,
            post_ids=payload.post_ids,
            at=at,
            reason=payload.reason,
            connection_ids=payload.accounts,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return {
        "action": result.action,
        "done": [p.pk for p in result.done],
        "failed": [
            {"post_id": p.pk, "error": " ".join(services.validation_error_messages(e))}
            for p, e in result.failed
        ],
        "summary": result.summary,
    }


@router.get("/brands/{brand_id}/calendar", response=list[PublicationOut])
def calendar(request, brand_id: int, start: datetime, end: datetime):
    """The brand's publications whose time falls in [start, end) (at most 92 days)."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    start, end = _aware(start, brand.timezone), _aware(end, brand.timezone)
    if end <= start or (end - start).days > 92:
        raise HttpError(422, "end must be after start, at most 92 days later.")
    return list(
        Publication.objects.filter(brand=brand, scheduled_for__gte=start, scheduled_for__lt=end)
        .exclude(status="cancelled")
        .order_by("scheduled_for", "pk")
    )


# --- A/B tests (variant B itself: apps.posts.api) -----------------------------------------------


class ABScheduleIn(Schema):
    mode: str = "slots"  # "slots" or "platforms"


@router.post("/posts/{post_id}/ab-schedule")
def post_ab_schedule(request, post_id: int, payload: ABScheduleIn):
    """Put both variants on the calendar: different slots (default) or different platforms."""
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    try:
        planned = ab.ab_schedule(post=post, user=user, mode=payload.mode)
    except ValidationError as exc:
        raise _invalid(exc) from None

    def out(publications):
        return [{"platform": p.platform, "scheduled_for": p.scheduled_for} for p in publications]

    return {"mode": planned.mode, "a": out(planned.a), "b": out(planned.b), "summary": planned.summary}


@router.get("/posts/{post_id}/ab-result")
def post_ab_result(request, post_id: int):
    """The A/B test's result: state (waiting, provisional, too_close, tie, winner), the leader by
    reward and the confidence that its engagement rate is higher."""
    user = api_require_role(request, Role.BRAND)
    result = ab.ab_result(post=post_get_for_user(user=user, post_id=post_id))
    if result is None:
        raise HttpError(404, "This post is not in an A/B test.")
    return {
        "state": result.state,
        "leader": result.leader,
        "confidence": result.confidence,
        "headline": result.headline,
        "detail": result.detail,
        "variants": [
            {
                "label": v.label,
                "post_id": v.post.pk,
                "reward": v.reward,
                "final": v.final,
                "engagements": v.engagements,
                "impressions": v.impressions,
                "engagement_rate": v.engagement_rate,
                "sandbox": v.sandbox,
            }
            for v in result.variants
        ],
    }


# --- CSV import and export ------------------------------------------------------------------------


@router.post("/brands/{brand_id}/posts/import", response={200: ImportOut, 201: ImportOut})
def posts_import(request, brand_id: int, file: File[UploadedFile], dry_run: bool = True, mode: str = "draft"):
    """Import posts from a CSV (multipart field `file`; the columns as in the template CSV of the
    import page). `dry_run=true` (the default) writes nothing and answers every row with its
    errors; `dry_run=false` creates each good row (mode `draft`, or `schedule`: approved and
    scheduled at its time), all or nothing per row, and answers 201. A refused file is a 413
    (too large) or a 422 (encoding, columns, more than 5,000 rows) with the reason."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    if mode not in csv_import.MODES:
        raise HttpError(422, "mode: draft or schedule.")
    if file.size and file.size > csv_import.MAX_BYTES:
        raise HttpError(413, f"The file is larger than {csv_import.MAX_BYTES // 1024 // 1024} MB; split it.")
    try:
        data = file.read()
        if dry_run:
            plan = csv_import.csv_import_plan(brand=brand, data=data, mode=mode, user=user)
            return Status(
                200,
                {
                    "dry_run": True,
                    "mode": mode,
                    "rows": [r.as_dict() for r in plan.rows],
                    "ignored_columns": plan.ignored_columns,
                    "created": 0,
                    "failed": len(plan.bad),
                    "summary": f"{len(plan.good)} rows ready, {len(plan.bad)} with errors.",
                },
            )
        result = csv_import.csv_import_commit(brand=brand, user=user, data=data, mode=mode)
    except csv_import.CsvRefused as exc:
        raise HttpError(413 if "the limit is" in str(exc) else 422, str(exc)) from None
    rows = sorted([*result.created, *result.failed], key=lambda r: r.line)
    return Status(
        201,
        {
            "dry_run": False,
            "mode": mode,
            "rows": [r.as_dict() for r in rows],
            "ignored_columns": result.plan.ignored_columns,
            "created": len(result.created),
            "failed": len(result.failed),
            "summary": result.summary,
        },
    )


@router.get("/brands/{brand_id}/posts/export.csv")
def posts_export(request, brand_id: int, status: str = "", platform: str = "", trend: int | None = None):
    """The brand's posts as CSV (text/csv), filtered as the posts list is; formula-like cells are
    written with a leading apostrophe."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    query = {k: v for k, v in {"status": status, "platform": platform, "trend": trend}.items() if v}
    filters = csv_export.export_filters(brand, query)
    response = HttpResponse(
        csv_export.csv_export_text(brand=brand, **filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="posts-brand-{brand.pk}.csv"'
    return response
