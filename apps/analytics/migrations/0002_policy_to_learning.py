# PolicyModel and TrainingRun now belong to apps.learning, which keeps their tables
# (analytics_policymodel, analytics_trainingrun): the state moves, no data does.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_metrics_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PolicyModel"),
                migrations.DeleteModel(name="TrainingRun"),
            ],
            database_operations=[],
        ),
    ]
