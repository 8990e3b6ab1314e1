"""Two uploads of one user at the same moment: the database keeps it to one open submission."""

import threading

import pytest
from django.db import connection

from kyc.exceptions import KycSubmissionPending
from kyc.models import DocumentType, KycSubmission
from kyc.services import kyc_submit
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
