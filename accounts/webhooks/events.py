"""The events an endpoint can subscribe to: one line each (the service that raises it calls webhook_event_emit)."""

WEBHOOK_EVENTS: dict[str, str] = {
    "transaction.posted": "A posting moved money in or out of your wallet (one event per user party).",
    "hold.authorized": "Money was set aside from your wallet on a hold.",
    "hold.captured": "A hold of yours was captured (all or part; the rest went back to your wallet).",
    "hold.voided": "A hold of yours was voided: its money is back in your wallet.",
    "hold.expired": "A hold of yours expired uncaptured: its money is back in your wallet.",
    "refund.posted": "A payment you sent was refunded to you, or you refunded one you received (each party).",
    "dispute.updated": "A dispute on one of your transactions was opened, taken for review or decided.",
    "kyc.decided": "Your identity document was approved or rejected.",
}
