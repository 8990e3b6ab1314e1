"""Admin building blocks shared by every app's console pages."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from vaultpay.money import format_minor


class ReadOnlyAdminMixin:
    """Nobody, at any role, adds, edits or deletes these rows through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def admin_change_link(obj, text: str | None = None) -> str:
    """A link to `obj`'s console page, or its plain text when it has none (or `obj` is None)."""
    if obj is None:
        return "—"
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(text or obj)
    return format_html('<a href="{}">{}</a>', url, text or obj)


def admin_changelist_link(model_label: str, text: str, **filters) -> str:
    """A link to the console list of `model_label` ("app_label.model") filtered by `filters`."""
    app_label, _, model_name = model_label.partition(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), text)


def admin_money(minor_units: int | None, currency: str) -> str:
    """Minor units shown as the console shows money everywhere: major units and the currency code."""
    if minor_units is None:
        return "—"
    return f"{format_minor(minor_units, currency)} {currency}"
