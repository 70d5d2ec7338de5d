"""API schemas for publishing."""

from datetime import datetime

from ninja import Field, Schema


class TargetsIn(Schema):
    accounts: list[int] | None = Field(
        None, description="Connection ids; default: every connected account with copy (else the sandbox)."
    )


class ScheduleIn(TargetsIn):
    at: datetime = Field(
        description="With an offset (2026-11-02T14:00:00Z) it is that instant; without one it is the "
        "brand's local time (DST-correct; a time that does not exist locally is refused)."
    )


class BatchIn(Schema):
    action: str = Field(description="approve, reject, schedule, queue or publish")
    post_ids: list[int]
    at: datetime | None = None
    reason: str = ""
    accounts: list[int] | None = None


class PublicationOut(Schema):
    id: int
    post_id: int
    platform: str
    is_sandbox: bool
    connection_id: int | None
    status: str
    scheduled_for: datetime
    due_at: datetime
    queued_by: str
    attempts: int
    external_id: str
    external_url: str
    published_at: datetime | None
    last_error: str
    error_kind: str


class BatchFailureOut(Schema):
    post_id: int
    error: str


class BatchOut(Schema):
    action: str
    done: list[int]
    failed: list[BatchFailureOut]
    summary: str


class ImportRowOut(Schema):
    line: int = Field(description="The row's line in the file (the header is line 1).")
    platforms: list[str]
    parts: list[str] = Field(description="The text, or an X thread's tweets.")
    at: datetime | None = Field(
        None, description="When it is planned (UTC), or null for a draft without a time."
    )
    local: str = Field(description="The time on the brand's clock, as the page shows it.")
    errors: list[str] = Field(description="Why the row cannot be imported (empty: it can).")
    notes: list[str]
    post_id: int | None = None
    outcome: str = Field("", description="After an import: draft or scheduled.")


class ImportOut(Schema):
    dry_run: bool
    mode: str
    rows: list[ImportRowOut] = Field(
        description="Every row (dry run), or the rows created and those not (import)."
    )
    ignored_columns: list[str]
    created: int
    failed: int
    summary: str
