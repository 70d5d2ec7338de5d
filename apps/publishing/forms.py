"""Publishing forms: when (a date and a time on the brand's wall clock) and on which accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from apps.brands.models import ConnectionStatus
from apps.core import zones
from apps.core.vocabulary import platform_label

from .selectors import (
    connection_label,
    timezone_label,
)

# The service refuses times more than this in the past (clocks differ a little).
PAST_TOLERANCE = timedelta(minutes=1)


class WhenForm(forms.Form):
    """A date and a time, read on the brand's clock and turned into an instant (`cleaned_data['at']`).
    A time the clocks skip is refused next to the field; one they pass twice is the first, and
    `note` says so (apps.publishing.timing.describe_local_time)."""

    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(
        self,
        *args,
        tz_name: str,
        needs_time: bool = True,
        now: datetime | None = None,
        initial_at: datetime | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.tz_name = tz_name or "UTC"
        self.needs_time = needs_time
        self.now = now or timezone.now()
        self.note = ""
        self.tz_label = timezone_label(self.tz_name, at=self.now)
        if initial_at is not None:
            local = initial_at.astimezone(zones.zone(self.tz_name))
            self.initial.setdefault("date", local.date())
            self.initial.setdefault("time", local.time().replace(second=0, microsecond=0))

    def clean(self):
        cleaned = super().clean()
        if not self.needs_time:
            return cleaned
        day, clock = cleaned.get("date"), cleaned.get("time")
        if day is None and "date" not in self.errors:
            self.add_error("date", "Pick a date.")
        if clock is None and "time" not in self.errors:
            self.add_error("time", "Pick a time.")
        if day is None or clock is None:
            return cleaned
        from .timing import NonexistentLocalTime, describe_local_time

        naive = datetime.combine(day, clock.replace(microsecond=0))  # seconds when typed (step=1)
        try:
            resolved = describe_local_time(naive, self.tz_name)
        except NonexistentLocalTime as exc:
            self.add_error("time", str(exc))
            return cleaned
        at = resolved.utc
        if at < self.now - PAST_TOLERANCE:
            self.add_error(
                "time",
                f"{naive:%a %-d %b %Y, %H:%M} has already passed in {self.tz_name}. "
                "Pick a later time, or publish now.",
            )
            return cleaned
        self.note = resolved.note
        cleaned["at"] = at
        return cleaned


class ScheduleForm(WhenForm):
    """The publish panel's form: the accounts (connected ones to tick; ones needing a reconnect
    shown disabled with the reason), and the when for "Schedule"."""

    accounts = forms.TypedMultipleChoiceField(
        coerce=int,
        required=True,
        error_messages={
            "required": "Choose at least one account.",
            "invalid_choice": "Choose one or more of this brand's connected accounts.",
        },
    )
    field_order = ["accounts", "date", "time"]

    def __init__(
        self,
        data=None,
        *,
        post,
        connections,
        initial_accounts: list[int] | None = None,
        needs_time: bool = True,
        now: datetime | None = None,
        initial_at: datetime | None = None,
    ):
        super().__init__(
            data,
            tz_name=post.brand.timezone,
            needs_time=needs_time,
            now=now,
            initial_at=initial_at,
            auto_id="publish-%s",
        )
        self.post = post
        self.connections = connections
        copies = {c.platform for c in post.copies.all()}
        self._reasons = {}
        for connection in connections:
            if connection.status != ConnectionStatus.CONNECTED:
                self._reasons[connection.pk] = "Needs reconnecting before it can publish." + (
                    f" {connection.last_error.strip()}" if connection.last_error.strip() else ""
                )
            elif not connection.is_sandbox and connection.platform not in copies:
                self._reasons[connection.pk] = f"This post has no {platform_label(connection.platform)} copy."
        self.fields["accounts"].choices = [
            (c.pk, connection_label(c)) for c in connections if c.pk not in self._reasons
        ]
        self.initial_account_ids = [i for i in (initial_accounts or []) if i not in self._reasons]
        self.initial["accounts"] = self.initial_account_ids

    @property
    def ticked(self) -> set[int]:
        if not self.is_bound:
            return set(self.initial_account_ids)
        return {int(v) for v in self.data.getlist(self.add_prefix("accounts")) if str(v).isdigit()}

    @property
    def account_options(self) -> list[dict]:
        ticked = self.ticked
        return [
            {
                "id": c.pk,
                "html_id": f"publish-account-{c.pk}",
                "label": connection_label(c),
                "platform": c.platform,
                "is_sandbox": c.is_sandbox,
                "checked": c.pk in ticked and c.pk not in self._reasons,
                "disabled": c.pk in self._reasons,
                "reason": self._reasons.get(c.pk, ""),
            }
            for c in self.connections
        ]


class BatchWhenForm(WhenForm):
    """The date and time of "Schedule selected" on the posts list."""

    def __init__(self, data=None, *, brand, needs_time: bool = True):
        super().__init__(data, tz_name=brand.timezone, needs_time=needs_time, auto_id="batch-%s")
