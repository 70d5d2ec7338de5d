"""Influencer embeddings and their fit with brands (formula in apps.collaborations.fit).

A profile's embedding is made in the worker (`influencer_embed`, queued after a save that changed
its text); a brand's fits with every profile are ranked in matrix products as the embeddings stream
in, and written in bulk (`brand_influencer_fit_refresh`, queued when the trends app stores a new
BrandEmbedding, and daily; under 1 s for 100,000 profiles, bench.collaborations).
The web process only compares text hashes: it never loads the model.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.brands.models import Brand
from apps.trends.embeddings import embed_texts
from apps.trends.models import BrandEmbedding
from apps.trends.services import embedding_rows

from ..fit import DIMENSIONS, fit_scores, matrix_from_bytes, profile_text, text_hash, vector_bytes
from ..models import InfluencerFit, InfluencerProfile

logger = logging.getLogger(__name__)

__all__ = [
    "brand_influencer_fit_refresh",
    "influencer_embed",
    "influencer_embed_on_save",
    "influencer_fit_refresh_on_brand_embedding",
    "influencers_fit_refresh_request",
]

# The fields an embedding is made from: a save touching none of them cannot change it.
TEXT_FIELDS = frozenset({"bio", "audience_roles", "audience_industries", "audience_geographies"})
TEXT_VALUES = ("bio", "audience_roles", "audience_industries", "audience_geographies")


def _text_of(values: dict) -> str:
    return profile_text(
        bio=values["bio"],
        roles=values["audience_roles"],
        industries=values["audience_industries"],
        geographies=values["audience_geographies"],
    )


def _digest(text: str) -> str:
    return text_hash(text) if text else ""


# --- An influencer's embedding ------------------------------------------------------------------


def influencer_embed_on_save(sender, instance: InfluencerProfile, raw: bool = False, **kwargs) -> None:
    """post_save of a profile: queue its embedding after commit when its text changed (a hash
    comparison, no model here)."""
    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not TEXT_FIELDS & set(update_fields)):
        return
    text = _text_of({f: getattr(instance, f) for f in TEXT_VALUES})
    if _digest(text) == instance.embedding_hash:
        return
    from ..tasks import influencer_embed_task  # the tasks module imports this one

    profile_id = instance.pk
    transaction.on_commit(lambda: influencer_embed_task.delay(profile_id))


def influencer_embed(*, profile_id: int, attempts: int = 3) -> bool:
    """Embed the profile's text if it changed since its stored embedding (a profile with no text
    has none), then refresh its fit with every brand. True when something was written. Safe to run
    twice, and against a concurrent save: the write only lands on the version that was read."""
    for _ in range(attempts):
        values = (
            InfluencerProfile.objects.filter(pk=profile_id)
            .values(*TEXT_VALUES, "embedding_hash", "updated_at")
            .first()
        )
        if values is None:
            return False
        text = _text_of(values)
        digest = _digest(text)
        if digest == values["embedding_hash"]:
            return False
        embedding = vector_bytes(embed_texts([text])[0]) if text else None
        written = InfluencerProfile.objects.filter(pk=profile_id, updated_at=values["updated_at"]).update(
            embedding=embedding, embedding_hash=digest
        )
        if written:
            influencer_fit_refresh(profile_id=profile_id)
            return True
        # Saved again while we embedded: read the new text and go again.
    return False


def influencer_fit_refresh(*, profile_id: int) -> int:
    """One influencer's fit with every brand that has an embedding (a new or changed profile ranks
    before the next daily refresh). Returns the number of brands scored."""
    blob = InfluencerProfile.objects.filter(pk=profile_id).values_list("embedding", flat=True).first()
    if not blob:
        InfluencerFit.objects.filter(influencer_id=profile_id).delete()
        return 0
    vector = matrix_from_bytes([blob])
    now = timezone.now()
    rows = []
    for brand_id, profile, pillars, names in BrandEmbedding.objects.values_list(
        "brand_id", "vector", "pillar_vectors", "pillars"
    ).iterator(chunk_size=500):
        if not profile:
            continue
        brand_vector = np.frombuffer(bytes(profile), dtype=np.float32)
        score = float(fit_scores(vector, brand_vector, embedding_rows(pillars, len(names or [])))[0])
        rows.append(InfluencerFit(brand_id=brand_id, influencer_id=profile_id, score=score, computed_at=now))
    InfluencerFit.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["brand", "influencer"],
        update_fields=["score", "computed_at"],
    )
    return len(rows)


# --- A brand's fit with every influencer -----------------------------------------------------------


def influencer_fit_refresh_on_brand_embedding(sender, instance: BrandEmbedding, raw: bool = False, **kwargs):
    """post_save of a BrandEmbedding (the trends app re-embedded a brand): re-rank its influencers."""
    if raw:
        return
    from ..tasks import brand_influencer_fit_refresh_task  # the tasks module imports this one

    brand_id = instance.brand_id
    transaction.on_commit(lambda: brand_influencer_fit_refresh_task.delay(brand_id))


def influencers_fit_refresh_request() -> int:
    """The daily job: sweep scores left by deletions during a refresh, queue a fit refresh for every
    brand with an embedding, and an embedding for every profile with text and none yet (profiles
    made before this existed, or by bulk loads)."""
    from ..tasks import brand_influencer_fit_refresh_task, influencer_embed_task

    _fits_orphans_delete()
    brand_ids = list(BrandEmbedding.objects.values_list("brand_id", flat=True))
    has_text = ~Q(bio="") | ~Q(audience_roles=[]) | ~Q(audience_industries=[]) | ~Q(audience_geographies=[])
    missing = InfluencerProfile.objects.filter(has_text, embedding_hash="").values_list("pk", flat=True)
    for profile_id in missing[:5000]:
        influencer_embed_task.delay(profile_id)
    for brand_id in brand_ids:
        brand_influencer_fit_refresh_task.delay(brand_id)
    return len(brand_ids)


def brand_influencer_fit_refresh(*, brand_id: int) -> int:
    """Rank every embedded profile by fit with the brand and store the scores (one InfluencerFit
    per profile; a profile that lost its embedding loses its row). No brand embedding: no fits,
    and search sorts by reach. Returns the number of profiles scored."""
    brand = BrandEmbedding.objects.filter(brand_id=brand_id).values_list(
        "vector", "pillar_vectors", "pillars"
    )
    brand = brand.first()
    if brand is None or not brand[0]:
        InfluencerFit.objects.filter(brand_id=brand_id).delete()
        return 0
    profile_vector = np.frombuffer(bytes(brand[0]), dtype=np.float32)
    pillars = embedding_rows(brand[1], len(brand[2] or []))
    ids, scores = _embedded_profile_scores(profile_vector, pillars)
    _fits_write(brand_id=brand_id, ids=ids, scores=scores)
    return len(ids)


def _embedded_profile_scores(
    profile_vector: np.ndarray, pillars: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Every embedded profile's id and fit with the brand (N each). On PostgreSQL the embeddings
    are scored as they stream in (`_embedded_profiles_copy`); elsewhere from one matrix."""
    if connection.vendor == "postgresql":
        return _embedded_profiles_copy(lambda matrix: fit_scores(matrix, profile_vector, pillars))
    ids, matrix = _embedded_profiles()
    scores = fit_scores(matrix, profile_vector, pillars) if len(ids) else np.zeros(0, dtype=np.float32)
    return ids, scores


def _embedded_profiles() -> tuple[np.ndarray, np.ndarray]:
    """Every stored profile embedding: ids (N) and one N × 384 matrix, through values_list."""
    rows = list(InfluencerProfile.objects.filter(embedding__isnull=False).values_list("pk", "embedding"))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), dtype=np.float32)
    ids, blobs = zip(*rows, strict=True)
    return np.fromiter(ids, dtype=np.int64, count=len(ids)), matrix_from_bytes(blobs)


# A binary COPY row of (id bigint, embedding bytea of 384 float32): field count, then each field's
# length and value (integers big-endian; the embedding's bytes as stored, little-endian float32).
_EMBEDDING_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("id_len", ">i4"),
        ("id", ">i8"),
        ("vector_len", ">i4"),
        ("vector", "<f4", (DIMENSIONS,)),
    ]
)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_HEADER_SIZE = len(_COPY_SIGNATURE) + 8  # flags and header extension length (0)


_SCORE_BATCH = 16_384  # rows scored at a time: a 25 MB buffer, reused (2,048 was slower, 32,768 no faster)


def _embedded_profiles_copy(score) -> tuple[np.ndarray, np.ndarray]:
    """Ids and scores (`score` of an n × 384 matrix) of every embedded profile, read as one binary
    COPY stream (fixed-size rows: no Python object per row) into a buffer of _SCORE_BATCH rows,
    scored batch by batch as it fills. No 150 MB stream and matrix are built: allocating and first
    touching that much memory made a refresh's time vary by 0.3 s from one run to the next (at load
    3, A/B in one process: mean 0.34-0.46 s against 0.43-0.60 s for the matrix, worst 0.44-0.54
    against 0.58-0.76)."""
    table = InfluencerProfile._meta.db_table
    sql = (
        f"COPY (SELECT id, embedding FROM {table} WHERE octet_length(embedding) = {DIMENSIONS * 4}) "  # noqa: S608 (our table)
        "TO STDOUT (FORMAT BINARY)"
    )
    size = _EMBEDDING_ROW.itemsize
    capacity = _SCORE_BATCH * size
    buffer = bytearray(capacity)
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []

    def take(count: int) -> None:
        rows = np.frombuffer(buffer, dtype=_EMBEDDING_ROW, count=count)
        if not (
            np.all(rows["fields"] == 2)
            and np.all(rows["id_len"] == 8)
            and np.all(rows["vector_len"] == DIMENSIONS * 4)
        ):
            raise ValueError("Unexpected COPY rows from PostgreSQL.")
        ids.append(rows["id"].astype(np.int64))
        scores.append(np.asarray(score(np.ascontiguousarray(rows["vector"])), dtype=np.float32))

    header, end = bytearray(), 0
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for chunk in copy:  # a chunk is a row, as PostgreSQL sends them; the first holds the header
            if len(header) < _COPY_HEADER_SIZE:
                needed = _COPY_HEADER_SIZE - len(header)
                header += chunk[:needed]
                chunk = chunk[needed:]
            n = len(chunk)
            if end + n < capacity:
                buffer[end : end + n] = chunk
                end += n
                continue
            data = memoryview(chunk)
            while data:  # the batch fills up: score it, and go on with the rest of the chunk
                n = min(len(data), capacity - end)
                buffer[end : end + n] = data[:n]
                end, data = end + n, data[n:]
                if end == capacity:
                    take(_SCORE_BATCH)
                    end = 0
    if not header.startswith(_COPY_SIGNATURE) or header[-4:] != b"\0" * 4:
        raise ValueError("Unexpected COPY header from PostgreSQL.")
    if buffer[end - 2 : end] != _COPY_TRAILER or (end - 2) % size:
        raise ValueError("Unexpected COPY end from PostgreSQL.")
    if end - 2:
        take((end - 2) // size)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(scores)


# PostgreSQL's binary COPY rows: a field count, then each field's length and big-endian value. Made
# from the arrays at once, not row by row. (influencer_id bigint, score double precision) for the
# temporary table; (brand_id, influencer_id, score, computed_at timestamptz) for the table itself.
_COPY_ROW = np.dtype(
    [("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("score_len", ">i4"), ("score", ">f8")]
)
_FIT_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("brand_len", ">i4"),
        ("brand", ">i8"),
        ("id_len", ">i4"),
        ("id", ">i8"),
        ("score_len", ">i4"),
        ("score", ">f8"),
        ("at_len", ">i4"),
        ("at", ">i8"),  # microseconds since 2000-01-01 UTC
    ]
)
_COPY_HEADER = _COPY_SIGNATURE + b"\x00" * 8
_COPY_TRAILER = b"\xff\xff"
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _copy_binary(ids: np.ndarray, scores: np.ndarray) -> bytes:
    rows = np.empty(len(ids), dtype=_COPY_ROW)
    rows["fields"], rows["id_len"], rows["score_len"] = 2, 8, 8
    rows["id"], rows["score"] = ids, np.round(scores.astype(np.float64), 6)
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def _copy_binary_fits(brand_id: int, ids: np.ndarray, scores: np.ndarray, now: datetime) -> bytes:
    rows = np.empty(len(ids), dtype=_FIT_ROW)
    rows["fields"] = 4
    rows["brand_len"], rows["id_len"], rows["score_len"], rows["at_len"] = 8, 8, 8, 8
    rows["brand"], rows["id"], rows["score"] = brand_id, ids, np.round(scores.astype(np.float64), 6)
    rows["at"] = (now - _POSTGRES_EPOCH) // timedelta(microseconds=1)
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def _ids(cursor, table: str, column: str, where: str = "TRUE", params=()) -> np.ndarray:
    """One bigint column as an array, aggregated in the database: one value to read (a COPY would
    hand Python 100,000 one-row messages)."""
    cursor.execute(f"SELECT array_agg({column}) FROM {table} WHERE {where}", params)  # noqa: S608 (our SQL)
    return np.array(cursor.fetchone()[0] or [], dtype=np.int64)


def _fits_write(*, brand_id: int, ids: np.ndarray, scores: np.ndarray) -> None:
    """Store the brand's scores: rows that changed are updated, new ones inserted, others deleted.

    The table has no foreign-key constraints (InfluencerFit, migration 0008): on PostgreSQL the
    brand's row is locked instead (FOR KEY SHARE, what the constraint's check would take, once
    rather than 100,000 times), so a brand deleted since its embedding was read gets no scores and
    one being deleted waits for this write; a profile deleted since the embeddings were read gets
    no row. A profile deleted while this transaction writes can leave a row behind, which the
    search never shows (it starts from the profiles) and the brand's next refresh deletes; a brand
    deleted in that moment leaves its rows to the daily job's sweep (`_fits_orphans_delete`)."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if not Brand.objects.filter(pk=brand_id).exists():
                return
            ids, scores = _existing_profiles(ids, scores)
            InfluencerFit.objects.filter(brand_id=brand_id).exclude(influencer_id__in=ids.tolist()).delete()
            InfluencerFit.objects.bulk_create(
                [
                    InfluencerFit(brand_id=brand_id, influencer_id=int(i), score=float(s), computed_at=now)
                    for i, s in zip(ids.tolist(), scores.tolist(), strict=True)
                ],
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["brand", "influencer"],
                update_fields=["score", "computed_at"],
            )
        return
    # PostgreSQL: which profiles the brand has rows for is read first (an index-only scan of the
    # unique index), so each row goes the cheapest way: the brand's rows of profiles no longer
    # embedded are deleted by id, existing rows updated from a temporary table (in place: an
    # unchanged score is not rewritten, and rows keep their ids), and new rows (all of them for a
    # new brand) COPYed straight into the table, no join needed.
    table, profiles = InfluencerFit._meta.db_table, InfluencerProfile._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Brand._meta.db_table} WHERE id = %s FOR KEY SHARE", [brand_id])  # noqa: S608
        if cursor.fetchone() is None:
            return
        # One refresh of a brand at a time (the daily one and one queued by a new embedding): the
        # second reads the rows the first committed, and does not insert them again.
        cursor.execute("SELECT pg_advisory_xact_lock(%s::regclass::oid::int, %s)", [table, brand_id])
        scored = _ids(cursor, table, "influencer_id", "brand_id = %s", [brand_id])
        existing = np.isin(ids, scored, assume_unique=True)
        gone = np.setdiff1d(scored, ids, assume_unique=True)
        if len(gone):
            cursor.execute(
                f"DELETE FROM {table} WHERE brand_id = %s AND influencer_id = ANY(%s)",  # noqa: S608
                [brand_id, gone.tolist()],
            )
        if existing.any():
            _fits_update(cursor, brand_id=brand_id, ids=ids[existing], scores=scores[existing], now=now)
        new = ~existing
        if new.any():
            # profiles deleted since their embeddings were read get no row
            new &= np.isin(ids, _ids(cursor, profiles, "id"), assume_unique=True)
            sql = f"COPY {table} (brand_id, influencer_id, score, computed_at) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:
                copy.write(_copy_binary_fits(brand_id, ids[new], scores[new], now))


def _existing_profiles(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isin(ids, np.fromiter(InfluencerProfile.objects.values_list("pk", flat=True), dtype=np.int64))
    return ids[keep], scores[keep]


def _fits_update(cursor, *, brand_id: int, ids: np.ndarray, scores: np.ndarray, now: datetime) -> None:
    """New scores for rows the brand has: COPY them into a temporary table, then one UPDATE."""
    table = InfluencerFit._meta.db_table
    # Dropped at commit, and here too: inside an outer transaction the commit is not ours.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.fit_scores")
    cursor.execute(
        "CREATE TEMP TABLE fit_scores (influencer_id bigint PRIMARY KEY, score double precision) ON COMMIT DROP"
    )
    with cursor.copy("COPY fit_scores (influencer_id, score) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_copy_binary(ids, scores))
    cursor.execute("ANALYZE fit_scores")
    cursor.execute(
        f"UPDATE {table} f SET score = s.score, computed_at = %s FROM fit_scores s "  # noqa: S608
        "WHERE f.brand_id = %s AND f.influencer_id = s.influencer_id AND f.score <> s.score",
        [now, brand_id],
    )


def _fits_orphans_delete() -> int:
    """Scores of brands or profiles deleted while a refresh was writing them (the table has no
    foreign-key constraints to refuse them). The daily job's sweep; returns the rows deleted."""
    # Two statements, each one anti-join (an OR of the two would probe both tables row by row).
    brand_gone = InfluencerFit.objects.filter(~Exists(Brand.objects.filter(pk=OuterRef("brand_id"))))
    profile_gone = InfluencerFit.objects.filter(
        ~Exists(InfluencerProfile.objects.filter(pk=OuterRef("influencer_id")))
    )
    return brand_gone.delete()[0] + profile_gone.delete()[0]
