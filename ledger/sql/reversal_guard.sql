-- PostgreSQL guard of money returned on a transaction, installed by migration 0005_reversal_guard and,
-- as it is now (refunds too), by 0014_posting_for_holds_and_refunds.
-- Reversals (a moderator's) and refunds (the receiver's) of one transaction never total more than its
-- amount together, are in its currency, and are never themselves reversed or refunded. A refund only
-- returns a payment between users, from its receiver to its sender. The trigger locks the original
-- row first, so even two concurrent inserts that skipped the application's lock are serialized.
CREATE OR REPLACE FUNCTION ledger_guard_reversal() RETURNS trigger AS $$
DECLARE
    original ledger_transaction%ROWTYPE;
    already bigint;
BEGIN
    SELECT * INTO original FROM ledger_transaction WHERE id = NEW.reverses_id FOR UPDATE;
    IF original.kind IN ('reversal', 'refund') THEN
        RAISE EXCEPTION 'a % cannot be reversed or refunded', original.kind USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind NOT IN ('reversal', 'refund') OR NEW.currency <> original.currency THEN
        RAISE EXCEPTION 'a transaction linked with reverses must be a reversal or a refund in the same currency'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind = 'refund' AND (original.kind NOT IN ('transfer', 'hold_capture')
                                OR NEW.from_wallet_id <> original.to_wallet_id
                                OR NEW.to_wallet_id <> original.from_wallet_id) THEN
        RAISE EXCEPTION 'a refund returns a payment from its receiver to its sender'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(amount), 0) INTO already FROM ledger_transaction WHERE reverses_id = NEW.reverses_id;
    IF already + NEW.amount > original.amount THEN
        RAISE EXCEPTION 'reversals and refunds of % would total % of %', original.id, already + NEW.amount,
            original.amount USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_reversal_guard ON ledger_transaction;
CREATE TRIGGER ledger_reversal_guard
    BEFORE INSERT ON ledger_transaction
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL)
    EXECUTE FUNCTION ledger_guard_reversal();
