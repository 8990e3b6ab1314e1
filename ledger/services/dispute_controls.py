"""Who may decide a dispute: never a party to it nor the one who opened it, and a large reversal
only with a second moderator (dual control, DISPUTE_DUAL_CONTROL_ABOVE per currency)."""

from django.conf import settings
from django.db import transaction

from audit.models import AuditEventType
from audit.services import audit_record
from ledger.exceptions import DisputeNotFound, DisputeOwnCase, ReversalSelfApproval
from ledger.models import Dispute
from vaultpay.money import currency_for, parse_amount


def _own_case_refusal_audit(*, moderator, dispute: Dispute, step: str, why: str) -> None:
    # Its own transaction, committed before the refusal is raised (the decision never opened one).
    with transaction.atomic():
        audit_record(
            event_type=AuditEventType.MODERATION_OWN_CASE_REFUSED,
            actor=moderator,
            target=dispute,
            new_values={"attempted": f"dispute.{step}", "why": why},
        )


def dispute_refuse_own_case(*, moderator, dispute_id, step: str) -> None:
    """Raise DisputeOwnCase (audited) when the moderator opened the dispute, initiated its transaction
    or owns one of its wallets. Raises DisputeNotFound.

    Called before the decision's transaction: who is party to a dispute never changes, so no lock is
    needed, and the audit event of a refusal is committed rather than rolled back with it.
    """
    dispute = (
        Dispute.objects.select_related("transaction__from_wallet", "transaction__to_wallet")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise DisputeNotFound()
    txn = dispute.transaction
    if moderator.pk == dispute.opened_by_id:
        why = "opened_it"
    elif moderator.pk in (txn.initiator_id, txn.from_wallet.owner_id, txn.to_wallet.owner_id):
        why = "party"
    else:
        return
    _own_case_refusal_audit(moderator=moderator, dispute=dispute, step=step, why=why)
    raise DisputeOwnCase(details={"why": why})


def dispute_refuse_self_approval(*, moderator, dispute_id) -> None:
    """Raise ReversalSelfApproval (audited) when the moderator proposed the reversal they would approve.

    A proposal is set once while the dispute is pending and never changes until it is decided, so this
    read outside the decision's lock stays true under it (the locked step checks again).
    """
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    if dispute is None or dispute.reversal_proposed_by_id != moderator.pk:
        return
    _own_case_refusal_audit(moderator=moderator, dispute=dispute, step="approve_reversal", why="proposed_it")
    raise ReversalSelfApproval()


def reversal_needs_second_moderator(*, amount: int, currency: str) -> bool:
    """True when a reversal of `amount` minor units is above the currency's dual-control threshold.

    A currency missing from DISPUTE_DUAL_CONTROL_ABOVE needs a second moderator for every amount:
    a forgotten setting fails safe.
    """
    threshold = settings.DISPUTE_DUAL_CONTROL_ABOVE.get(currency)
    if threshold is None:
        return True
    return amount > parse_amount(str(threshold), currency_for(currency))
