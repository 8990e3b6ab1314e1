"""Two uploads of one user at the same moment: the database keeps it to one open submission."""

import threading
import time

import pytest
from django.db import connection, transaction

from kyc.exceptions import KycSubmissionPending
from kyc.models import DocumentType, KycSubmission
from kyc.services import kyc_approve, kyc_submit
from kyc.tests.conftest import JPEG, PDF


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_leave_one_pending_submission(user, wallet):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def upload(content: bytes):
        try:
            barrier.wait()
            kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=content)
            outcomes.append("created")
        except KycSubmissionPending:
            outcomes.append("kyc_submission_pending")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(content,)) for content in (PDF, JPEG)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "kyc_submission_pending"]
    assert KycSubmission.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approval_and_a_transfer_of_the_same_wallet_never_deadlock(user, wallet, moderator, assert_reconciled):
    # given a pending submission and a transfer out of the same wallet held open after its posting
    import uuid

    from accounts.tests.factories import UserFactory
    from ledger.idempotency import idempotency_request_build
    from ledger.services import wallet_transfer
    from ledger.tests.helpers import fund
    from vaultpay.money import Money, currency_for
    from wallets.models import LimitTier, Wallet
    from wallets.services import wallet_create

    usd = currency_for("USD")
    fund(wallet, 50_00)
    payee = wallet_create(owner=UserFactory(), currency=usd)
    submission = kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=PDF)
    posted, errors, approved = threading.Event(), [], []

    def transfer_held_open():
        try:
            with transaction.atomic():
                key = idempotency_request_build(user=user, key=str(uuid.uuid4()), operation="t", payload={})
                wallet_transfer(sender=user, to_wallet_id=payee.public_id, amount=Money(5_00, usd), idempotency=key)
                posted.set()
                time.sleep(1)  # the approval now waits for this wallet's row lock, holding nothing we need
        except BaseException as exc:  # asserted on below
            errors.append(exc)
        finally:
            connection.close()

    def approve():
        try:
            posted.wait(timeout=30)
            kyc_approve(submission=submission, moderator=moderator)
            approved.append(True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when both run at once
    threads = [threading.Thread(target=transfer_held_open), threading.Thread(target=approve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then neither died of a deadlock: the transfer committed and the wallet is verified
    assert errors == [] and approved == [True]
    assert Wallet.objects.get(pk=wallet.pk).limit_tier == LimitTier.VERIFIED
    assert Wallet.objects.get(pk=wallet.pk).balance == 45_00
    assert_reconciled()
