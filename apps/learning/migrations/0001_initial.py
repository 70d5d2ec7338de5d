# The learning app: PolicyModel and TrainingRun taken over from analytics with their tables (state
# only: no data moves), and the reward ledger that analytics writes to and learning reads.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MOVED = ("policymodel", "trainingrun")


def content_types_to_learning(apps, schema_editor):
    """Keep the moved models' permissions and admin history: their content types change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="learning", model=model).exists():
            ContentType.objects.filter(app_label="analytics", model=model).update(app_label="learning")


def content_types_to_analytics(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="analytics", model=model).exists():
            ContentType.objects.filter(app_label="learning", model=model).update(app_label="analytics")


MODES = [("none", "Not trained yet"), ("bandit", "Epsilon-greedy bandit (little data)"), ("q", "Q-learning")]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("analytics", "0002_policy_to_learning"),
        ("brands", "0004_brand_banned_topics"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("trends", "0001_trends"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PolicyModel",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("mode", models.CharField(choices=MODES, default="none", max_length=8)),
                        ("q_values", models.JSONField(blank=True, default=dict, help_text="{state: {action: Q}}")),
                        ("visits", models.JSONField(blank=True, default=dict, help_text="{state: {action: count}}")),
                        ("bandit", models.JSONField(blank=True, default=dict, help_text="{action: {n, mean}}")),
                        ("alpha", models.FloatField(default=0.1)),
                        ("epsilon", models.FloatField(default=0.15)),
                        ("posts_used", models.PositiveIntegerField(default=0)),
                        ("trained_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "brand",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="policy_model",
                                to="brands.brand",
                            ),
                        ),
                    ],
                    options={"db_table": "analytics_policymodel"},
                ),
                migrations.CreateModel(
                    name="TrainingRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("trained", "Trained"), ("skipped", "Skipped"), ("failed", "Failed")],
                                max_length=8,
                            ),
                        ),
                        ("mode", models.CharField(choices=MODES, default="none", max_length=8)),
                        ("reason", models.TextField(blank=True, help_text="Why it skipped or failed, in words.")),
                        ("posts_used", models.PositiveIntegerField(default=0)),
                        ("summary", models.JSONField(blank=True, default=dict)),
                        (
                            "brand",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="training_runs",
                                to="brands.brand",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "analytics_trainingrun",
                        "ordering": ["-started_at"],
                        "indexes": [models.Index(fields=["brand", "-started_at"], name="training_run_brand")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_learning, content_types_to_analytics),
        migrations.CreateModel(
            name="RewardRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("publication_id", models.PositiveBigIntegerField(unique=True)),
                ("post_id", models.PositiveBigIntegerField()),
                ("tone", models.CharField(blank=True, max_length=20)),
                ("platform", models.CharField(help_text="Whose copy was published (x or linkedin).", max_length=16)),
                ("post_format", models.CharField(blank=True, help_text="The post's format as written.", max_length=10)),
                (
                    "state",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The post's learning state (industry, category, format, tone).",
                    ),
                ),
                ("reward", models.FloatField()),
                ("final", models.BooleanField(default=False, help_text="7 days after publishing the reward is final.")),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "brand",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="brands.brand"
                    ),
                ),
                (
                    "trend",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="trends.trend",
                    ),
                ),
            ],
            options={
                "ordering": ["published_at", "publication_id"],
                "indexes": [models.Index(fields=["brand", "published_at"], name="reward_record_brand")],
            },
        ),
    ]
