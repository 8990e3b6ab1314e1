"""PostgreSQL refuses to change the audit log, and chain writes stay linked under concurrency."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from audit.chain import audit_chain_verify
from audit.models import AuditEvent, AuditEventType
from audit.sealing import audit_seal_pending
from audit.services import audit_record


@pytest.mark.django_db
def test_update_of_an_audit_event_is_refused(user):
    event = audit_record(event_type=AuditEventType.WALLET_CREATED, actor=user)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_id="tampered")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET new_values = '{}' WHERE id = %s", [event.pk])


@pytest.mark.django_db
def test_delete_of_an_audit_event_is_refused(user):
    event = audit_record(event_type=AuditEventType.WALLET_CREATED, actor=user)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_are_all_sealed_into_one_unbroken_chain(user):
    threads, per_thread = 8, 15
    start = threading.Barrier(threads)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(event_type=AuditEventType.MONEY_POSTED, actor=user, new_values={"n": n, "i": i})
        finally:
            connection.close()

    before = AuditEvent.objects.count()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(write, range(threads)))
    assert AuditEvent.objects.count() == before + threads * per_thread
    assert audit_seal_pending() == AuditEvent.objects.count()
    report = audit_chain_verify()
    assert report.ok and report.checked == AuditEvent.objects.count(), report
