"""Linked accounts' "Last used" for the sandbox: posting through it marks the account used, as
the token lookup does for X and LinkedIn."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.brands.models import SocialConnection
from apps.sandbox.publisher import SandboxPublisher

from .conftest import POSTED, make_post

pytestmark = pytest.mark.django_db


def _sandbox(brand) -> SocialConnection:
    return SocialConnection.objects.get(brand=brand, platform="sandbox")


@time_machine.travel(POSTED, tick=False)
def test_publishing_to_the_sandbox_marks_its_account_used(account, brand):
    assert _sandbox(brand).last_used_at is None
    SandboxPublisher().create_post(account=account, text="Instant payments are here")
    assert _sandbox(brand).last_used_at == POSTED


def test_linked_accounts_show_when_the_sandbox_was_last_used(client, member, brand, account):
    SandboxPublisher().create_post(account=account, text="Instant payments are here")
    page = client.get(reverse("connections:list", args=[brand.pk])).content.decode()
    row = page[page.index("Sandbox") :]
    last_used = re.findall(r"<td>(.*?)</td>", row[: row.index("</tr>")], re.S)[-2]  # before the actions
    assert last_used == "0\xa0minutes ago"


def test_a_back_dated_sandbox_post_does_not_move_last_used_backwards(brand):
    make_post(brand, now=POSTED)
    make_post(brand, now=POSTED - timedelta(days=3))
    assert _sandbox(brand).last_used_at == POSTED
