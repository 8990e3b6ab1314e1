from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_dispute_and_email_event_types")]

    operations = [
        migrations.AlterField(
            model_name="auditevent", name="occurred_at", field=models.DateTimeField(db_index=True)
        ),
        migrations.AddField(
            model_name="auditevent", name="actor_role", field=models.CharField(blank=True, max_length=16)
        ),
        migrations.AddField(
            model_name="auditevent",
            name="ip_hash",
            field=models.CharField(blank=True, help_text="Keyed hash of the client IP, never the IP.", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="0" * 64, max_length=64),
        ),
        migrations.AddField(model_name="auditevent", name="hash", field=models.CharField(blank=True, max_length=64)),
        # The unkeyed links were backfilled here once; 0007_audit_sealing replaces them with sealed ones.
    ]
