-- Reverses migration 0008_posting_pg.
DROP FUNCTION IF EXISTS ledger_money_request(text, bigint, text, text, text, boolean, integer, bigint, text, text, interval, text,
    text, bigint, jsonb, uuid, text, text, jsonb, timestamptz, integer);
DROP FUNCTION IF EXISTS ledger_new_recipient_payments_today(bigint, bigint, timestamptz);
DROP FUNCTION IF EXISTS ledger_post(text, bigint, bigint, text, bigint, jsonb, uuid, text, bigint, text, jsonb,
    uuid, jsonb, timestamptz);
