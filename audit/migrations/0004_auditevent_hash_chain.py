from django.db import migrations, models


def backfill_chain(apps, schema_editor):
    """Chain the events written before the chain existed, in insertion order."""
    from audit.chain import event_hash
    from audit.models import GENESIS_HASH

    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator():
        event.prev_hash = prev
        event.hash = event_hash(event)
        event.save(update_fields=["prev_hash", "hash"])
        prev = event.hash


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
        migrations.RunPython(backfill_chain, migrations.RunPython.noop),
    ]
