"""How well an influencer fits a brand: the text of a profile that is embedded, and the fit score.

    fit = 0.5 · cos(influencer, brand profile) + 0.5 · max over the brand's pillars cos(influencer, pillar)

The influencer's vector is all-MiniLM-L6-v2 (the trends app's embedder) of their bio and audience
(roles, industries, geographies); the brand's profile and pillar vectors are the ones the trends
app keeps in BrandEmbedding. The profile half says the audience is the brand's kind of people; the
pillar half rewards an influencer who is close to one thing the brand talks about, even when the
brand talks about several. A brand without pillars is matched on its profile alone (the pillar half
takes the profile's cosine). Vectors are L2-normalised, so a cosine is a dot product and all
profiles are ranked in one matrix product. Nothing here loads a model: that is the worker's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

DIMENSIONS = 384  # all-MiniLM-L6-v2
PROFILE_WEIGHT = 0.5
PILLAR_WEIGHT = 0.5


def profile_text(
    *, bio: str, roles: Sequence[str], industries: Sequence[str], geographies: Sequence[str]
) -> str:
    """What is embedded for a profile: its bio, then its audience in words ('' when it has none)."""
    parts = []
    bio = " ".join((bio or "").split())
    if bio:
        parts.append(bio)
    for label, tags in (("Audience", roles), ("Industries", industries), ("Based in", geographies)):
        tags = [str(t).strip() for t in tags or [] if str(t).strip()]
        if tags:
            parts.append(f"{label}: {', '.join(tags)}.")
    return " ".join(parts)


def text_hash(text: str) -> str:
    """What a stored embedding was made from (sha256 of the text and the model's size)."""
    return hashlib.sha256(f"{DIMENSIONS}\x1f{text}".encode()).hexdigest()


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def matrix_from_bytes(blobs: Iterable[bytes | memoryview]) -> np.ndarray:
    """Stored float32 vectors as one N × 384 matrix, in one copy (no per-row arrays)."""
    data = b"".join(blobs)
    if len(data) % (DIMENSIONS * 4):
        raise ValueError("An embedding is not 384 float32 values.")
    return np.frombuffer(data, dtype=np.float32).reshape(-1, DIMENSIONS)


def fit_scores(matrix: np.ndarray, profile: np.ndarray, pillars: np.ndarray | None) -> np.ndarray:
    """The fit of every row of `matrix` (N × D, unit rows) with a brand: its profile vector (D) and
    its pillar vectors (P × D, or None / empty when it has no pillars). float32, N values in [-1, 1]."""
    profile = np.asarray(profile, dtype=np.float32).reshape(-1)
    if pillars is None or not len(pillars):
        return matrix @ profile
    brand = np.vstack([profile, np.asarray(pillars, dtype=np.float32).reshape(-1, profile.size)])
    cosines = matrix @ brand.T  # N × (1 + P): one BLAS product for every profile at once
    return PROFILE_WEIGHT * cosines[:, 0] + PILLAR_WEIGHT * cosines[:, 1:].max(axis=1)
