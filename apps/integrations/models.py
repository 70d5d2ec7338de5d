"""A log of calls to outside services: one row per attempt (a retried request is several rows),
with its outcome, latency and token usage. Cost reporting and the operations page's "external
API calls today per provider" read it."""

from __future__ import annotations

import logging

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class ApiCall(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"

    # Which service: "llm", and later "stability", "x", "linkedin", … (kept generic on purpose).
    provider = models.CharField(max_length=40)
    endpoint = models.CharField(max_length=200, blank=True, help_text="e.g. chat/completions")
    purpose = models.CharField(max_length=80, blank=True, help_text="what the call was for, e.g. post_copy")
    model = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    http_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="empty for network errors and timeouts"
    )
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first try, 2 for the first retry, …"
    )
    latency_ms = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "created_at"], name="apicall_provider_created")]
        verbose_name = "API call"

    def __str__(self) -> str:
        return f"{self.provider} {self.endpoint} {self.status} ({self.created_at:%Y-%m-%d %H:%M:%S})"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def record(cls, **fields) -> ApiCall | None:
        """Save one call. A failed write is logged and never breaks the call it describes (in its own
        savepoint, so a surrounding transaction stays usable)."""
        try:
            with transaction.atomic():
                return cls.objects.create(**fields)
        except Exception:
            logger.warning(
                "could not record a %s API call (%s)",
                fields.get("provider", "?"),
                fields.get("status", "?"),
                exc_info=True,
            )
            return None
