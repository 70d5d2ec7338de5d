"""Trends and mentions stored before ingestion took the outlet off headlines lose it now
("… - Reuters" → "…"), so cards, trend pages and copy show the headline alone."""

from django.db import migrations

from apps.integrations.sources.base import title_without_publisher


def clean_titles(apps, schema_editor):
    Trend = apps.get_model("trends", "Trend")
    TrendMention = apps.get_model("trends", "TrendMention")
    for trend in Trend.objects.exclude(title__startswith="#").iterator():
        # The outlet of the mention the trend is named after (before the mentions are cleaned).
        publisher = (
            TrendMention.objects.filter(trend_id=trend.pk, title=trend.title)
            .exclude(source_name="")
            .values_list("source_name", flat=True)
            .first()
        )
        title = title_without_publisher(trend.title, publisher or "")
        if title != trend.title:
            Trend.objects.filter(pk=trend.pk).update(title=title)
    for mention in TrendMention.objects.iterator():
        title = title_without_publisher(mention.title, mention.source_name)
        if title == mention.title:
            continue
        taken = TrendMention.objects.filter(
            trend_id=mention.trend_id, source=mention.source, canonical_url=mention.canonical_url, title=title
        ).exists()
        if not taken:  # else the cleaned twin from a later refresh already stands for it
            TrendMention.objects.filter(pk=mention.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [("trends", "0003_brand_embedding_industry_vector")]

    operations = [migrations.RunPython(clean_titles, migrations.RunPython.noop)]
