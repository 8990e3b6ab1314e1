"""Dispute evidence goes through the memory-only upload pipeline, and disputes are rate-limited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for
from ledger.models import Dispute
from ledger.tests.conftest import fund, pay

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_with_evidence(user, txn, content: bytes):
    evidence = SimpleUploadedFile("evidence.pdf", content, content_type="application/pdf")
    body = {"reason": "Not me", "evidence": evidence}
    return client_for(user).post(f"/api/v1/transactions/{txn.pk}/disputes", body, format="multipart")


def test_evidence_never_reaches_a_temporary_file(user, paid, monkeypatch):
    # given a 3 MB PDF: above FILE_UPLOAD_MAX_MEMORY_SIZE, where Django would spool it to disk
    def refuse(*args, **kwargs):
        raise AssertionError("plaintext evidence reached a temporary file")

    monkeypatch.setattr("django.core.files.uploadedfile.TemporaryUploadedFile.__init__", refuse)
    # when
    response = open_with_evidence(user, paid, PDF + b"0" * (3 * 1024 * 1024))
    # then it was accepted, and sealed from memory
    assert response.status_code == 201
    assert Dispute.objects.get().evidence_size == len(PDF) + 3 * 1024 * 1024


def test_body_far_over_the_evidence_cap_is_refused_before_it_is_read(user, paid, settings):
    settings.DISPUTE_EVIDENCE_MAX_BYTES = 1000
    response = open_with_evidence(user, paid, PDF + b"0" * 200_000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "evidence_too_large"
    assert not Dispute.objects.exists()


def test_disputes_are_rate_limited_per_user(user, wallet, other_user, other_wallet, settings):
    # given three payments, and a limit of two disputes an hour
    settings.RATELIMIT_DISPUTE = "2/h"
    fund(user, 3000)
    payments = [pay(user, other_wallet, 1000) for _ in range(3)]
    # when the user disputes all three
    statuses = [open_with_evidence(user, txn, PDF).status_code for txn in payments]
    # then the third is refused with 429 and left undisputed
    assert statuses == [201, 201, 429]
    assert Dispute.objects.count() == 2
    # and another user is counted separately
    assert open_with_evidence(other_user, payments[2], PDF).status_code == 201
