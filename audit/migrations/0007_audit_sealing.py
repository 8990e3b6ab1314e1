"""The audit chain moves out of the events: a sequencer seals them after commit, with a keyed hash.

Events are appended without a lock from now on. The old unkeyed links are dropped; the sequencer's
first run seals every existing event into the new chain.
"""

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_security_event_types")]

    operations = [
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="seal", to="audit.auditevent"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(help_text="The last link sealed.")),
                ("hash", models.CharField(help_text="That link's hash.", max_length=64)),
                ("created_at", models.DateTimeField()),
                ("signature", models.CharField(max_length=64)),
            ],
            options={"indexes": [models.Index(fields=["-id"], name="audit_checkpoint_newest_idx")]},
        ),
        run_sql_file_on_postgresql(SQL_DIR / "sealing.sql", SQL_DIR / "sealing_drop.sql"),
    ]
