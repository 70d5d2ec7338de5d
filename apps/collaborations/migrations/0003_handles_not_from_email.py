"""Profiles whose public handle was the email's local part (e.g. @ivy.chen1987 from
ivy.chen1987@gmail.com) get a new one, from the name they chose or a random creator-xxxx; the
old handle is not kept as a redirect, since it is part of an email address. Every profile's public
name starts as the account's display name."""

import re
import secrets

from django.db import migrations
from django.utils.text import slugify

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def _taken(InfluencerProfile, InfluencerHandle, slug: str) -> bool:
    return (
        InfluencerProfile.objects.filter(slug__iexact=slug).exists()
        or InfluencerHandle.objects.filter(slug__iexact=slug).exists()
    )


def _new_handle(InfluencerProfile, InfluencerHandle, name: str, local: str) -> str:
    base = slugify(name)[:60]
    if base and base != local:
        slug, n = base, 2
        while _taken(InfluencerProfile, InfluencerHandle, slug):
            slug, n = f"{base}-{n}", n + 1
        return slug
    while True:
        slug = "creator-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
        if not _taken(InfluencerProfile, InfluencerHandle, slug):
            return slug


def forwards(apps, schema_editor):
    InfluencerProfile = apps.get_model("collaborations", "InfluencerProfile")
    InfluencerHandle = apps.get_model("collaborations", "InfluencerHandle")
    for profile in InfluencerProfile.objects.select_related("user").order_by("pk"):
        user = profile.user
        fields = []
        if not profile.display_name and user.display_name:
            profile.display_name = user.display_name[:80]
            fields.append("display_name")
        local = slugify(user.email.split("@")[0])
        if local and re.fullmatch(rf"{re.escape(local)}(-\d+)?", profile.slug):
            profile.slug = _new_handle(InfluencerProfile, InfluencerHandle, user.display_name, local)
            fields.append("slug")
        if fields:
            profile.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("collaborations", "0002_influencer_handle_display_name")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
