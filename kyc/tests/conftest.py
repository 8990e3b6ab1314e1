import pytest
from rest_framework.test import APIClient

from kyc.tests.factories import StaffUserFactory
from vaultpay.celery import app as celery_app

# Smallest inputs each format's sniffing recognises, with a unique tail so tests can tell them apart.
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
KEY_A = "key-a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "key-b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


@pytest.fixture(autouse=True)
def _kyc_isolation(settings, tmp_path):
    # Encrypted files go to a per-test folder; secrets are test values; emails are sent in-process.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.KYC_MASTER_KEYS = KEY_A
    settings.KYC_FINGERPRINT_PEPPER = "test-pepper"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def moderator(db):
    return StaffUserFactory()


def document(kind: bytes = PDF, tail: bytes = b"") -> bytes:
    return kind + tail


def submit(client: APIClient, content: bytes = PDF, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"document_type": "passport", "document_number": "P1234567"} | fields
    data.setdefault("file", SimpleUploadedFile("document.pdf", content, content_type="application/pdf"))
    return client.post("/api/v1/kyc/submissions", data, format="multipart")
