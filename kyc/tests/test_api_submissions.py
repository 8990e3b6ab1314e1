import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from kyc.models import KycDocument, KycDuplicateAttempt, KycStatus, KycSubmission
from kyc.services import kyc_approve, kyc_reject
from kyc.tests.conftest import JPEG, PDF, PNG, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "content_type"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")]
)
def test_submission_is_stored_encrypted_and_pending(auth_client, user, wallet, content, content_type):
    # when
    response = submit(auth_client, content)
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    document = KycDocument.objects.get(submission_id=body["id"])
    assert document.content_type == content_type
    with default_storage.open(document.storage_name, "rb") as stored:
        assert content not in stored.read()
    assert AuditEvent.objects.filter(event_type=AuditEventType.KYC_SUBMITTED, actor=user).count() == 1


def test_type_comes_from_content_not_name_or_declared_type(auth_client, wallet):
    disguised = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00 not a document", content_type="application/pdf")
    response = submit(auth_client, file=disguised)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "kyc_file_type_unsupported"
    assert not KycSubmission.objects.exists()

    png_named_pdf = SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf")
    assert submit(auth_client, file=png_named_pdf).status_code == 201
    assert KycDocument.objects.get().content_type == "image/png"


def test_file_over_the_cap_is_refused_with_413(settings, auth_client, wallet):
    settings.KYC_MAX_UPLOAD_BYTES = 1000
    response = submit(auth_client, PDF + b"0" * 1000)
    assert response.status_code == 413
    assert response.json()["error"] == response.json()["error"] | {
        "code": "kyc_file_too_large",
        "details": {"max_bytes": 1000},
    }
    assert submit(auth_client, PDF + b"0" * 100).status_code == 201


def test_body_far_over_the_cap_is_refused_before_it_is_read(settings, auth_client, wallet):
    settings.KYC_MAX_UPLOAD_BYTES = 1000
    response = submit(auth_client, PDF + b"0" * 200_000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "kyc_file_too_large"


def test_upload_never_spools_to_a_temporary_file(settings, auth_client, wallet, monkeypatch):
    # given Django would normally spool anything above 10 bytes to a temporary file
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10

    def refuse(*args, **kwargs):
        raise AssertionError("the plaintext document reached a temporary file")

    monkeypatch.setattr("django.core.files.uploadedfile.TemporaryUploadedFile.__init__", refuse)
    # when / then
    assert submit(auth_client, PDF + b"x" * 5000).status_code == 201


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"file": SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")}, "kyc_file_empty"),
        ({"document_type": "library_card"}, "validation_error"),
        ({"document_number": "!"}, "validation_error"),
    ],
)
def test_invalid_submissions_are_400(auth_client, wallet, fields, code):
    response = submit(auth_client, **fields)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_missing_file_is_400(auth_client, wallet):
    response = auth_client.post(
        "/api/v1/kyc/submissions", {"document_type": "passport", "document_number": "P1"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "kyc_file_missing"


def test_json_body_is_415(auth_client, wallet):
    response = auth_client.post("/api/v1/kyc/submissions", {"document_type": "passport"}, format="json")
    assert response.status_code == 415


def test_submitting_needs_a_wallet(auth_client):
    response = submit(auth_client)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "wallet_not_found"


def test_anonymous_is_401(api_client):
    assert submit(api_client).status_code == 401
    assert api_client.get("/api/v1/kyc/status").status_code == 401


def test_one_pending_at_a_time_then_again_after_rejection(auth_client, wallet, moderator):
    # given
    first = submit(auth_client)
    assert first.status_code == 201
    # when / then
    again = submit(auth_client, JPEG)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "kyc_submission_pending"

    kyc_reject(submission=KycSubmission.objects.get(pk=first.json()["id"]), moderator=moderator, reason="Blurry")
    retry = submit(auth_client)  # the same document again is fine for its owner
    assert retry.status_code == 201

    kyc_approve(submission=KycSubmission.objects.get(pk=retry.json()["id"]), moderator=moderator)
    after_approval = submit(auth_client, PNG)
    assert after_approval.status_code == 409
    assert after_approval.json()["error"]["code"] == "kyc_already_verified"


def test_same_document_from_another_user_is_409_and_flagged(auth_client, wallet, other_user, other_wallet):
    # given
    original = submit(auth_client, PDF)
    assert original.status_code == 201
    # when
    response = submit(client_for(other_user), PDF, document_number="X9999999")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "kyc_document_duplicate"
    attempt = KycDuplicateAttempt.objects.get()
    assert attempt.user == other_user
    assert str(attempt.matched_submission_id) == original.json()["id"]
    assert not KycSubmission.objects.filter(user=other_user).exists()
    flagged = AuditEvent.objects.get(event_type=AuditEventType.KYC_DUPLICATE_FLAGGED)
    assert flagged.actor == other_user
    assert flagged.target_id == original.json()["id"]


def test_status_reports_none_pending_and_rejection_reason(auth_client, wallet, moderator):
    assert auth_client.get("/api/v1/kyc/status").json() == {
        "status": "none",
        "rejection_reason": "",
        "submission": None,
    }
    submission_id = submit(auth_client).json()["id"]
    pending = auth_client.get("/api/v1/kyc/status").json()
    assert pending["status"] == "pending"
    assert pending["submission"]["id"] == submission_id

    kyc_reject(submission=KycSubmission.objects.get(pk=submission_id), moderator=moderator, reason="Expired document")
    rejected = auth_client.get("/api/v1/kyc/status").json()
    assert rejected["status"] == KycStatus.REJECTED
    assert rejected["rejection_reason"] == "Expired document"
