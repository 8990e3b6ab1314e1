from rest_framework import serializers

from kyc.models import DocumentType
from vaultpay.api_fields import ExactFormSerializer


class KycSubmissionInputSerializer(ExactFormSerializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document_number = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9 \-/]{2,63}$", max_length=64, help_text="As printed on the document."
    )
    file = serializers.FileField(
        allow_empty_file=True,  # kyc_submit answers an empty file with its own code
        help_text="PDF, JPEG or PNG, recognised by content; at most KYC_MAX_UPLOAD_BYTES (10 MB by default).",
    )


class KycSubmissionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    document_type = serializers.CharField()
    status = serializers.CharField()
    rejection_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class KycStatusOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["none", "pending", "approved", "rejected"])
    rejection_reason = serializers.CharField(allow_blank=True)
    submission = KycSubmissionOutputSerializer(allow_null=True)
