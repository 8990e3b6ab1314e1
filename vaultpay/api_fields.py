"""Request fields whose OpenAPI schema states the rule the server enforces.

Amounts and currencies are passed through raw, so vaultpay.money gives each mistake its own error
code (`amount_too_precise`, `currency_unsupported`, ...); the schema still says what is accepted, so
a generated client and Swagger UI show the rule before the server has to refuse.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vaultpay.money import AMOUNT_PATTERN, CURRENCIES


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn the JSON number 0 into "0".

    Unless blank is allowed, the schema says so too (minLength 1), as the field refuses "".
    """

    default_error_messages = {"not_a_string": "Must be a string."}

    def __init__(self, **kwargs):
        if not kwargs.get("allow_blank", False):
            kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class _RawField(serializers.Field):
    """Hands the JSON value over as it came, null included, for vaultpay.money to judge."""

    def validate_empty_values(self, data):
        if data is None:
            return (False, None)  # not DRF's generic `null` error: the money module names the mistake
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "string", "pattern": AMOUNT_PATTERN, "example": "12.50"})
class AmountField(_RawField):
    """A decimal string in major units, checked by vaultpay.money.parse_amount against the currency."""


@extend_schema_field({"type": "string", "enum": list(CURRENCIES), "example": "USD"})
class CurrencyField(_RawField):
    """An ISO 4217 code VaultPay holds, checked by vaultpay.money.currency_for."""


class ExactFormSerializer(serializers.Serializer):
    """An upload form takes its declared fields and nothing else (400 `validation_error` otherwise).

    A JSON body may carry fields a newer client knows and we ignore; a form is ours, so a stray
    field is a mistake worth saying. vaultpay.schema marks every multipart form
    `additionalProperties: false` to match.
    """

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {})) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().validate(attrs)
