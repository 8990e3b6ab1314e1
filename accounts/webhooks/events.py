"""The events an endpoint can subscribe to: one line each (the service that raises it calls webhook_event_emit)."""

WEBHOOK_EVENTS: dict[str, str] = {
    "transaction.posted": "A posting moved money in or out of your wallet (one event per user party).",
    "dispute.updated": "A dispute on one of your transactions was opened, taken for review or decided.",
    "kyc.decided": "Your identity document was approved or rejected.",
}
