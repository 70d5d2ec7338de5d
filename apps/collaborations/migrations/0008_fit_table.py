"""Fit scores without foreign-key constraints (issue 19, bench.collaborations fit_rank_100k_s).

A new brand's first refresh inserts 100,000 InfluencerFit rows, and PostgreSQL checked each one
against brands_brand and collaborations_influencerprofile at commit (200,000 key lookups, each
locking the row it found): 1.2 s of a 1.8 s refresh, against a 1 s goal. The scores are derived
data, rebuilt by every refresh, so the constraints go (db_constraint=False) and:

- Django's on_delete=CASCADE still deletes a brand's or a profile's scores when it goes (one DELETE
  by the unique (brand, influencer) index or the influencer_id index, which stays for this);
- the refresh locks the brand's row once (FOR KEY SHARE) and writes no score for a profile deleted
  since the embeddings were read (apps.collaborations.services.fit._fits_write);
- rows written while their brand or profile was being deleted are swept by the daily fit job.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("brands", "0007_brand_negative_topics"),
        ("collaborations", "0007_search_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="influencerfit",
            name="brand",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="influencer_fits",
                to="brands.brand",
            ),
        ),
        migrations.AlterField(
            model_name="influencerfit",
            name="influencer",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="fits",
                to="collaborations.influencerprofile",
            ),
        ),
    ]
