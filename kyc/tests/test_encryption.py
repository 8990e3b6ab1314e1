import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from kyc.encryption import SealedDocument, document_fingerprint, document_open, document_seal
from kyc.exceptions import KycDocumentUnreadable, KycNotConfigured
from kyc.tests.conftest import KEY_A, KEY_B, PDF


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_round_trip_returns_the_plaintext():
    submission_id = uuid.uuid4()
    sealed = document_seal(plaintext=PDF, submission_id=submission_id)
    assert PDF not in sealed.ciphertext
    assert sealed.key_id == "key-a"
    assert len(sealed.ciphertext) == 12 + len(PDF) + 16  # nonce + ciphertext + GCM tag
    assert document_open(sealed=sealed, submission_id=submission_id) == PDF


def test_each_document_gets_a_fresh_data_key_and_nonce():
    submission_id = uuid.uuid4()
    first = document_seal(plaintext=PDF, submission_id=submission_id)
    second = document_seal(plaintext=PDF, submission_id=submission_id)
    assert first.ciphertext != second.ciphertext
    assert first.wrapped_key != second.wrapped_key


@pytest.mark.parametrize("index", [0, 12, -1])
def test_a_flipped_ciphertext_byte_is_refused(index):
    submission_id = uuid.uuid4()
    sealed = document_seal(plaintext=PDF, submission_id=submission_id)
    tampered = SealedDocument(
        ciphertext=_flip(sealed.ciphertext, index % len(sealed.ciphertext)),
        wrapped_key=sealed.wrapped_key,
        key_id=sealed.key_id,
    )
    with pytest.raises(KycDocumentUnreadable) as caught:
        document_open(sealed=tampered, submission_id=submission_id)
    assert caught.value.details == {"part": "ciphertext"}


def test_a_flipped_wrapped_key_byte_is_refused():
    submission_id = uuid.uuid4()
    sealed = document_seal(plaintext=PDF, submission_id=submission_id)
    tampered = SealedDocument(sealed.ciphertext, _flip(sealed.wrapped_key, 20), sealed.key_id)
    with pytest.raises(KycDocumentUnreadable) as caught:
        document_open(sealed=tampered, submission_id=submission_id)
    assert caught.value.details == {"part": "wrapped_key"}


def test_a_document_moved_to_another_submission_does_not_decrypt():
    sealed = document_seal(plaintext=PDF, submission_id=uuid.uuid4())
    with pytest.raises(KycDocumentUnreadable):
        document_open(sealed=sealed, submission_id=uuid.uuid4())


def test_documents_under_an_older_key_still_open_while_it_is_listed(settings):
    submission_id = uuid.uuid4()
    sealed = document_seal(plaintext=PDF, submission_id=submission_id)
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    assert document_seal(plaintext=PDF, submission_id=submission_id).key_id == "key-b"
    assert document_open(sealed=sealed, submission_id=submission_id) == PDF


@pytest.mark.parametrize("raw", ["", "no-separator", "id:not-base64!", "short:" + "QUFB", f"{KEY_A},{KEY_A}"], ids=repr)
def test_malformed_master_keys_are_a_configuration_error(settings, raw):
    settings.KYC_MASTER_KEYS = raw
    with pytest.raises(ImproperlyConfigured):
        document_seal(plaintext=PDF, submission_id=uuid.uuid4())


def test_development_secrets_are_refused_on_a_secure_deployment(settings):
    settings.KYC_USING_DEV_SECRETS = True
    settings.SECURE = True
    with pytest.raises(KycNotConfigured):
        document_seal(plaintext=PDF, submission_id=uuid.uuid4())
    with pytest.raises(KycNotConfigured):
        document_fingerprint(PDF)


def test_fingerprint_is_keyed_by_the_pepper(settings):
    first = document_fingerprint(PDF)
    assert first == document_fingerprint(PDF)
    settings.KYC_FINGERPRINT_PEPPER = "another-pepper"
    assert document_fingerprint(PDF) != first
