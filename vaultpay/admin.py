"""The console page where super admins tune settings (django-constance), with every change audited."""

from constance import config
from constance.admin import Config, ConstanceAdmin, ConstanceForm
from django.contrib import admin
from django.db import transaction

from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.console_settings import console_settings_forget


class AuditedConstanceForm(ConstanceForm):
    """Constance's settings form, recording each change (old and new value) with its super admin."""

    def __init__(self, initial, request=None, *args, **kwargs):
        super().__init__(initial, request, *args, **kwargs)
        self.request = request

    @transaction.atomic
    def save(self) -> list[str]:
        before = {name: getattr(config, name) for name in self.fields if name != "version"}
        changed = super().save()
        if changed:
            audit_record(
                event_type=AuditEventType.CONSOLE_SETTING_CHANGED,
                actor=self.request.user if self.request else None,
                old_values={name: before[name] for name in changed},
                new_values={name: getattr(config, name) for name in changed},
            )
        console_settings_forget()
        return changed


class AuditedConstanceAdmin(ConstanceAdmin):
    change_list_form = AuditedConstanceForm


admin.site.unregister([Config])
admin.site.register([Config], AuditedConstanceAdmin)
