"""Influencer search at 100,000 profiles (bench.collaborations): a covering index of the public
profiles holding every column the search filters and sorts on, so the result count and the page's
ids are index-only scans of ~20 MB instead of scans of the table, whose rows carry the 1.5 kB
embedding inline. PostgreSQL only (INCLUDE and partial indexes); elsewhere nothing changes."""

from django.db import migrations

INDEX = "influencer_search_cover"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON collaborations_influencerprofile (followers_total DESC, id)
INCLUDE (reputation_score, engagement_rate, verified, rate_minor, rate_currency,
         audience_roles, audience_industries, audience_geographies, follower_counts)
WHERE is_public
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("collaborations", "0006_marketplace_delivery")]

    operations = [migrations.RunPython(create, drop)]
