from django.db import migrations


def create_role_groups(apps, schema_editor):
    # Permissions that already exist are assigned now; on a fresh database they are created after
    # the migrations run, and the post_migrate sync (accounts.roles_sync) assigns them then.
    from accounts.roles_sync import roles_sync

    roles_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_security_pin_ip_role"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
