"""Signed webhooks: endpoints a user registers, the events VaultPay sends them, each delivery's attempts.

A concern of `accounts` because every app that raises events (ledger for postings and disputes,
kyc for decisions) may depend on accounts, and the top-level layout is fixed. The event rows are
the webhooks' own transactional outbox: a service writes them in its transaction, a Celery task
delivers each after commit, and a beat task retries whatever is still pending.
"""
