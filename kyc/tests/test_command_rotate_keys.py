import pytest
from django.core.management import CommandError, call_command

from kyc.models import DocumentType, KycDocument
from kyc.services import kyc_document_read, kyc_document_rewrap, kyc_submit
from kyc.tests.conftest import JPEG, KEY_A, KEY_B, PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(user, wallet, other_user, other_wallet):
    return [
        kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=PDF),
        kyc_submit(user=other_user, document_type=DocumentType.PASSPORT, document_number="P2", content=PNG),
    ]


def test_rotation_rewraps_keys_and_the_old_key_can_then_go(settings, documents, moderator, capsys):
    # given a new master key is put first
    files_before = {d.storage_name: d.wrapped_key for d in KycDocument.objects.all()}
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    # when
    call_command("rotate_kyc_keys")
    # then every data key is under the new key, and the files were not rewritten
    assert set(KycDocument.objects.values_list("key_id", flat=True)) == {"key-b"}
    assert set(KycDocument.objects.values_list("storage_name", flat=True)) == set(files_before)
    assert "Re-wrapped 2 KYC document" in capsys.readouterr().out
    # and with the old key removed from settings, every document still opens
    settings.KYC_MASTER_KEYS = KEY_B
    assert [kyc_document_read(submission=s, viewer=moderator)[0] for s in documents] == [PDF, PNG]


def test_rotation_can_be_interrupted_and_run_again(settings, documents, user, moderator, capsys):
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    # given a run stopped after the first document
    assert kyc_document_rewrap(document_id=KycDocument.objects.order_by("pk").first().pk) is True
    # when it runs again, twice
    call_command("rotate_kyc_keys", batch_size=1)
    call_command("rotate_kyc_keys")
    # then it finished the rest once, and the second run had nothing to do
    out = capsys.readouterr().out
    assert "Re-wrapped 1 KYC document" in out
    assert "Re-wrapped 0 KYC document" in out
    settings.KYC_MASTER_KEYS = KEY_B
    assert kyc_document_read(submission=documents[0], viewer=moderator)[0] == PDF


def test_rotation_reports_documents_whose_key_is_gone(settings, user, wallet):
    kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=JPEG)
    settings.KYC_MASTER_KEYS = KEY_B  # key-a removed before rotating: its documents are stuck
    with pytest.raises(CommandError, match="not configured"):
        call_command("rotate_kyc_keys")
    assert KycDocument.objects.get().key_id == "key-a"
