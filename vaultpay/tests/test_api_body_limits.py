"""Request bodies: JSON endpoints take only JSON, every body is capped before it is read, and no
upload an anonymous client sends ever reaches a temporary file."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture
def no_temporary_files(monkeypatch):
    """Fail the test if Django would spool an upload to disk."""

    def refuse(*args, **kwargs):
        raise AssertionError("an upload reached a temporary file")

    monkeypatch.setattr("django.core.files.uploadedfile.TemporaryUploadedFile.__init__", refuse)


@pytest.fixture
def multipart_never_parsed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the multipart body was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", refuse)


def test_multipart_to_a_json_endpoint_is_415_and_never_parsed(api_client, multipart_never_parsed):
    upload = SimpleUploadedFile("x.bin", b"x" * 1000)
    response = api_client.post(TOKEN_URL, {"email": "a@example.com", "password": "x", "f": upload}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_anonymous_body_over_the_cap_is_413_before_it_is_read(
    api_client, settings, no_temporary_files, multipart_never_parsed
):
    # given a 3 MB multipart body, above the 2 MiB cap on anything but an upload view
    upload = SimpleUploadedFile("big.bin", b"x" * (3 * 1024 * 1024))
    # when
    response = api_client.post(TOKEN_URL, {"file": upload}, format="multipart")
    # then
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert response.json()["error"]["details"] == {"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}


def test_json_body_over_the_cap_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.com", "password": "p" * 2000})
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_admin_login_form_body_is_capped_too(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/admin/login/", {"username": "a", "password": "p" * 2000})
    assert response.status_code == 413
