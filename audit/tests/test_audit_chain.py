"""The sealed audit chain: events are appended freely, sealed in order, and any tampering shows."""

import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.tests.factories import UserFactory
from audit.chain import audit_chain_verify, link_hash
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditEventType, AuditSeal
from audit.sealing import ANCHOR_CACHE_KEY, audit_anchor, audit_seal_pending
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(django_capture_on_commit_callbacks):
    """Five events, sealed (the anchor is written on commit), then two more not sealed yet."""
    user = UserFactory()
    for n in range(5):
        audit_record(event_type=AuditEventType.WALLET_CREATED, actor=user, new_values={"n": n})
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_seal_pending() == AuditEvent.objects.count()
    return user


def _behind_the_guards(sql: str, params: list | None = None) -> None:
    """What an attacker with superuser access would do: switch the append-only triggers off first."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_sealed_events_form_a_keyed_chain_in_order(sealed):
    seals = list(AuditSeal.objects.select_related("event").order_by("seq"))
    assert [s.seq for s in seals] == list(range(1, len(seals) + 1))
    assert seals[0].prev_hash == GENESIS_HASH
    for previous, seal in zip(seals, seals[1:], strict=False):
        assert seal.prev_hash == previous.hash and seal.event_id > previous.event_id
    assert audit_anchor() == (seals[-1].seq, seals[-1].hash)
    assert audit_chain_verify(anchor=audit_anchor()).ok
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_events_appended_later_are_sealed_on_the_next_run(sealed):
    later = audit_record(event_type=AuditEventType.WALLET_FROZEN, actor=sealed)
    assert not AuditSeal.objects.filter(event=later).exists()
    assert audit_seal_pending() == 1
    assert AuditSeal.objects.get(event=later).seq == AuditEvent.objects.count()


def test_an_edited_event_is_named(sealed):
    victim = AuditSeal.objects.get(seq=2).event
    _behind_the_guards("UPDATE audit_auditevent SET target_id = '999' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match="at link 2: its content does not match") as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1


def test_an_event_removed_from_the_middle_leaves_a_gap(sealed):
    victim = AuditSeal.objects.get(seq=3)
    _behind_the_guards("DELETE FROM audit_auditseal WHERE seq = 3")
    _behind_the_guards("DELETE FROM audit_auditevent WHERE id = %s", [victim.event_id])
    report = audit_chain_verify()
    assert report.broken_seq == 3 and "link missing" in report.reason


def test_the_newest_events_removed_with_their_seals_and_checkpoints_show_against_the_anchor(sealed):
    newest = list(AuditSeal.objects.order_by("-seq")[:2])
    _behind_the_guards("DELETE FROM audit_auditcheckpoint")
    for seal in newest:
        _behind_the_guards("DELETE FROM audit_auditseal WHERE seq = %s", [seal.seq])
        _behind_the_guards("DELETE FROM audit_auditevent WHERE id = %s", [seal.event_id])
    assert audit_chain_verify().ok  # the chain that is left is consistent in itself...
    report = audit_chain_verify(anchor=audit_anchor())  # ...but shorter than the head kept outside
    assert not report.ok and "newest events removed" in report.reason


def test_the_newest_links_removed_show_against_the_signed_checkpoint(sealed):
    _behind_the_guards("DELETE FROM audit_auditseal WHERE seq = (SELECT max(seq) FROM audit_auditseal)")
    cache.delete(ANCHOR_CACHE_KEY)
    report = audit_chain_verify(anchor=audit_anchor())
    assert not report.ok and "no longer reaches its newest checkpoint" in report.reason


def test_reordered_events_break_the_links(sealed):
    first, second = AuditSeal.objects.order_by("seq")[1:3]
    _behind_the_guards("UPDATE audit_auditseal SET event_id = -event_id WHERE seq IN (%s, %s)", [first.seq, second.seq])
    _behind_the_guards("UPDATE audit_auditseal SET event_id = %s WHERE seq = %s", [second.event_id, first.seq])
    _behind_the_guards("UPDATE audit_auditseal SET event_id = %s WHERE seq = %s", [first.event_id, second.seq])
    assert not audit_chain_verify().ok


def test_a_chain_recomputed_without_the_key_does_not_verify(sealed, settings):
    # given an attacker who edits an event and recomputes every link and the checkpoint, with a key of their own
    victim = AuditSeal.objects.get(seq=1).event
    _behind_the_guards("UPDATE audit_auditevent SET new_values = '{\"n\": 42}' WHERE id = %s", [victim.pk])
    real_key = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "the attacker's guess"
    prev = GENESIS_HASH
    for seal in AuditSeal.objects.select_related("event").order_by("seq"):
        forged = link_hash(prev_hash=prev, seq=seal.seq, event=seal.event)
        _behind_the_guards(
            "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, forged, seal.seq]
        )
        prev = forged
    _behind_the_guards("DELETE FROM audit_auditcheckpoint")
    cache.delete(ANCHOR_CACHE_KEY)
    settings.AUDIT_CHAIN_KEY = real_key  # what the deployment verifies with
    report = audit_chain_verify()
    assert report.broken_seq == 1 and "keyed hash" in report.reason


def test_an_event_slipped_in_unsealed_long_ago_is_reported(sealed):
    _behind_the_guards(
        "INSERT INTO audit_auditevent (occurred_at, event_type, actor_role, target_type, target_id, request_id,"
        " ip_hash, old_values, new_values) VALUES (now() - interval '2 hours', 'wallet.created', '', '', '', '', '',"
        " '{}', '{}')"
    )
    report = audit_chain_verify()
    assert not report.ok and "never sealed" in report.reason
    assert AuditCheckpoint.objects.exists()
