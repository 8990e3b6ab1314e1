from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kyc.exceptions import KycFileMissing
from kyc.selectors import kyc_latest_submission
from kyc.serializers import KycStatusOutputSerializer, KycSubmissionInputSerializer, KycSubmissionOutputSerializer
from kyc.services import kyc_submit
from kyc.uploads import upload_too_large_error
from vaultpay.schema import error_response
from vaultpay.uploads import memory_upload_install


class KycSubmissionView(APIView):
    parser_classes = [MultiPartParser]
    # The body cap (vaultpay.uploads.RequestBodyLimitMiddleware) and its error.
    upload_limit_setting = "KYC_MAX_UPLOAD_BYTES"
    upload_too_large = staticmethod(upload_too_large_error)

    @extend_schema(
        request={"multipart/form-data": KycSubmissionInputSerializer},
        responses={
            201: KycSubmissionOutputSerializer,
            400: error_response("validation_error", "kyc_file_missing", "kyc_file_empty"),
            401: error_response("not_authenticated"),
            404: error_response("wallet_not_found"),
            409: error_response("kyc_submission_pending", "kyc_already_verified", "kyc_document_duplicate"),
            413: error_response("kyc_file_too_large"),
            415: error_response("kyc_file_type_unsupported", "unsupported_media_type"),
        },
        tags=["kyc"],
    )
    def post(self, request):
        # Set before the body is parsed: the document stays in memory and never reaches a temp file.
        handler = memory_upload_install(request, max_bytes=settings.KYC_MAX_UPLOAD_BYTES)
        serializer = KycSubmissionInputSerializer(data=request.data)
        if handler.too_large:
            raise upload_too_large_error()
        if "file" not in request.data:
            raise KycFileMissing()
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = kyc_submit(
            user=request.user,
            document_type=data["document_type"],
            document_number=data["document_number"],
            content=data["file"].read(),
        )
        return Response(KycSubmissionOutputSerializer(submission).data, status=status.HTTP_201_CREATED)


class KycStatusView(APIView):
    @extend_schema(
        responses={200: KycStatusOutputSerializer, 401: error_response("not_authenticated")},
        tags=["kyc"],
    )
    def get(self, request):
        submission = kyc_latest_submission(user=request.user)
        body = {
            "status": submission.status if submission else "none",
            "rejection_reason": submission.rejection_reason if submission else "",
            "submission": submission,
        }
        return Response(KycStatusOutputSerializer(body).data)
