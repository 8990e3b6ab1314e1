"""The dispute endpoints: open (JSON or multipart with evidence), list and read your own."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from conftest import client_for
from ledger.evidence import evidence_read
from ledger.models import Dispute

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"pixels" * 50
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_via_api(user, txn, **data):
    fmt = "multipart" if "evidence" in data else "json"
    return client_for(user).post(f"/api/v1/transactions/{txn.pk}/disputes", {"reason": "Not me", **data}, format=fmt)


def test_open_list_and_read_own(user, paid):
    response = open_via_api(user, paid, amount="5.00")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body | {"id": None, "deadline_at": None, "created_at": None} == {
        "id": None,
        "transaction": str(paid.pk),
        "transaction_reference": paid.reference,
        "status": "open",
        "reason": "Not me",
        "amount": "5.00",
        "currency": "USD",
        "reversed_amount": "0.00",
        "decision_reason": "",
        "has_evidence": False,
        "deadline_at": None,
        "decided_at": None,
        "created_at": None,
    }
    listing = client_for(user).get("/api/v1/disputes").json()
    assert [d["id"] for d in listing["results"]] == [body["id"]]
    assert client_for(user).get(f"/api/v1/disputes/{body['id']}").status_code == 200


def test_others_see_nothing(user, other_user, paid):
    dispute_id = open_via_api(user, paid).json()["id"]

    assert client_for(other_user).get(f"/api/v1/disputes/{dispute_id}").status_code == 404
    assert client_for(other_user).get("/api/v1/disputes").json()["count"] == 0
    stranger = open_via_api(UserFactory(), paid)
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "not_found"


def test_second_dispute_is_409(user, other_user, paid):
    assert open_via_api(user, paid).status_code == 201
    second = open_via_api(other_user, paid)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "dispute_exists"


@pytest.mark.parametrize(("amount", "code"), [("40.01", "dispute_amount_invalid"), ("1.001", "amount_too_precise")])
def test_bad_amount_is_400(user, paid, amount, code):
    response = open_via_api(user, paid, amount=amount)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(("content", "name"), [(PNG, "shot.png"), (PDF, "statement.pdf")])
def test_evidence_is_sniffed_and_encrypted_at_rest(user, paid, content, name):
    response = open_via_api(user, paid, evidence=SimpleUploadedFile(name, content, content_type="text/plain"))

    assert response.status_code == 201, response.json()
    assert response.json()["has_evidence"] is True
    dispute = Dispute.objects.get()
    assert dispute.evidence_content_type == ("image/png" if name.endswith("png") else "application/pdf")
    with default_storage.open(dispute.evidence_name, "rb") as handle:
        stored = handle.read()
    assert content not in stored and content[:5] not in stored
    plaintext = evidence_read(
        name=dispute.evidence_name, key_id=dispute.evidence_key_id, wrapped_key=dispute.evidence_wrapped_key
    )
    assert plaintext == content


def test_evidence_with_a_lying_name_is_refused(user, paid):
    fake = SimpleUploadedFile("invoice.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    response = open_via_api(user, paid, evidence=fake)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "evidence_type_unsupported"
    assert not Dispute.objects.exists()


def test_evidence_is_size_capped(user, paid, settings):
    settings.DISPUTE_EVIDENCE_MAX_BYTES = 100
    response = open_via_api(user, paid, evidence=SimpleUploadedFile("big.png", PNG))
    assert response.status_code == 413
    assert response.json()["error"] == response.json()["error"] | {
        "code": "evidence_too_large",
        "details": {"max_bytes": 100},
    }
    assert not Dispute.objects.exists()


def test_reason_is_required(user, paid):
    response = client_for(user).post(f"/api/v1/transactions/{paid.pk}/disputes", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["details"]["fields"]
