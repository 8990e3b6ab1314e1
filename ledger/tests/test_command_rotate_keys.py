"""Key rotation re-wraps dispute evidence too: after it, the old master key can go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ledger.evidence import evidence_read
from ledger.models import Dispute
from ledger.services import dispute_open

pytestmark = pytest.mark.django_db

KEY_A = "key-a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "key-b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.KYC_MASTER_KEYS = KEY_A


@pytest.fixture
def disputed(user, paid):
    evidence = SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")
    return dispute_open(user=user, transaction_id=paid.pk, reason="Not me", evidence=evidence)


def _read(dispute: Dispute) -> bytes:
    dispute.refresh_from_db()
    return evidence_read(
        name=dispute.evidence_name, key_id=dispute.evidence_key_id, wrapped_key=dispute.evidence_wrapped_key
    )


def test_rotation_rewraps_evidence_and_the_old_key_can_then_go(settings, disputed, capsys):
    # given a new master key is put first
    name_before = disputed.evidence_name
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    # when
    call_command("rotate_kyc_keys")
    # then the evidence key is under the new key, and the file itself was not rewritten
    disputed.refresh_from_db()
    assert (disputed.evidence_key_id, disputed.evidence_name) == ("key-b", name_before)
    assert "Re-wrapped 1 dispute evidence" in capsys.readouterr().out
    # and with only the new key configured (as the README says), the evidence still opens
    settings.KYC_MASTER_KEYS = KEY_B
    assert _read(disputed) == PDF


def test_second_run_has_nothing_left_to_do(settings, disputed, capsys):
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    call_command("rotate_kyc_keys")
    capsys.readouterr()
    call_command("rotate_kyc_keys")
    assert "Re-wrapped 0 dispute evidence" in capsys.readouterr().out


def test_evidence_whose_key_is_gone_is_reported(settings, disputed):
    settings.KYC_MASTER_KEYS = KEY_B  # key-a removed before rotating: its evidence is stuck
    with pytest.raises(CommandError, match="dispute evidence"):
        call_command("rotate_kyc_keys")
    disputed.refresh_from_db()
    assert disputed.evidence_key_id == "key-a"
