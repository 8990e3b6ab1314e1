-- PostgreSQL guard of reversals, installed by migration 0004_reversal_guard.
-- Reversals of one transaction never total more than its amount, are in its currency, and a
-- reversal is never itself reversed. The trigger locks the original row first, so even two
-- concurrent inserts that skipped the application's lock are serialized and checked.
CREATE OR REPLACE FUNCTION ledger_guard_reversal() RETURNS trigger AS $$
DECLARE
    original ledger_transaction%ROWTYPE;
    already bigint;
BEGIN
    SELECT * INTO original FROM ledger_transaction WHERE id = NEW.reverses_id FOR UPDATE;
    IF original.kind = 'reversal' THEN
        RAISE EXCEPTION 'a reversal cannot be reversed' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind <> 'reversal' OR NEW.currency <> original.currency THEN
        RAISE EXCEPTION 'a transaction linked with reverses must be a reversal in the same currency'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(amount), 0) INTO already FROM ledger_transaction WHERE reverses_id = NEW.reverses_id;
    IF already + NEW.amount > original.amount THEN
        RAISE EXCEPTION 'reversals of % would total % of %', original.id, already + NEW.amount, original.amount
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_reversal_guard ON ledger_transaction;
CREATE TRIGGER ledger_reversal_guard
    BEFORE INSERT ON ledger_transaction
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL)
    EXECUTE FUNCTION ledger_guard_reversal();
