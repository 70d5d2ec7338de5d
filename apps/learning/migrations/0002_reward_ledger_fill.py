# The reward ledger starts with every published publication that already has a reward, as
# analytics' metrics fetch would have written it (apps.learning.services.reward_record_upsert).
# Other apps' rows are read through their historical models: no import of the apps above.

from django.db import migrations

BATCH = 1000


def fill(apps, schema_editor):
    Publication = apps.get_model("publishing", "Publication")
    RewardRecord = apps.get_model("learning", "RewardRecord")
    rows = (
        Publication.objects.filter(status="published", reward__isnull=False)
        .select_related("post")
        .order_by("pk")
    )
    batch = []
    for publication in rows.iterator(chunk_size=BATCH):
        post = publication.post
        batch.append(
            RewardRecord(
                brand_id=publication.brand_id,
                publication_id=publication.pk,
                post_id=post.pk,
                trend_id=post.trend_id,
                tone=post.tone,
                platform=publication.copy_platform or publication.platform,
                post_format=post.post_format,
                state=post.learning_state or {},
                reward=publication.reward,
                final=publication.reward_final,
                published_at=publication.published_at,
            )
        )
        if len(batch) >= BATCH:
            RewardRecord.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    RewardRecord.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("posts", "0003_post_ab_variant"),
        ("publishing", "0003_publication_metrics"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
