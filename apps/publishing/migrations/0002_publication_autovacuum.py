"""Publications are updated several times each within seconds (claimed, sending, published):
vacuum the table after 2% of it changed instead of PostgreSQL's default 20%, so dead rows do not
pile up under the dispatcher's index scans (bench.publishing ran twice as slow on a bloated table)."""

from django.db import migrations

TABLES = ["publishing_publication", "publishing_publishattempt"]


def tune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.02, "
            "autovacuum_analyze_scale_factor = 0.02)"
        )


def untune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_publications")]

    operations = [migrations.RunPython(tune, untune)]
