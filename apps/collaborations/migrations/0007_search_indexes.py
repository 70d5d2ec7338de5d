"""Influencer search at 100,000 profiles (bench.collaborations): a covering index of the public
profiles holding every column the search filters and sorts on, so the result count and the page's
ids are index-only scans of ~20 MB instead of scans of the table, whose rows carry the 1.5 kB
embedding inline; and statistics on the audience tag expressions the filters match (any case), so
the planner knows how many profiles a tag keeps and joins the fit scores accordingly (a hash join
for many, not 40,000 index lookups). PostgreSQL only.

And fit scores cheap to rewrite (a brand's 100,000 at each refresh): no index on `score` (the search
never used the (brand, -score) one: it joins a brand's scores by the unique (brand, influencer)
index, which also serves the brand's lookups, so the brand column's own index goes too), and pages
half empty (fillfactor 50, PostgreSQL), so a new score is a heap-only update that touches no index."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "influencer_search_cover"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON collaborations_influencerprofile (followers_total DESC, id)
INCLUDE (reputation_score, engagement_rate, verified, rate_minor, rate_currency,
         audience_roles, audience_industries, audience_geographies, follower_counts)
WHERE is_public
"""
STATISTICS = "influencer_audience_tags"
CREATE_STATISTICS = f"""
CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON
    (upper(audience_roles::text)), (upper(audience_industries::text)), (upper(audience_geographies::text))
FROM collaborations_influencerprofile
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(CREATE_STATISTICS)
        schema_editor.execute("ALTER TABLE collaborations_influencerfit SET (fillfactor = 50)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE collaborations_influencerfit RESET (fillfactor)")
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("brands", "0007_brand_negative_topics"),
        ("collaborations", "0006_marketplace_delivery"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RemoveIndex(model_name="influencerfit", name="influencer_fit_rank"),
        migrations.AlterField(
            model_name="influencerfit",
            name="brand",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="influencer_fits",
                to="brands.brand",
            ),
        ),
    ]
