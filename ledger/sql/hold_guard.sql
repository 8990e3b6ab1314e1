-- PostgreSQL guard of holds, installed by migration 0014_posting_for_holds_and_refunds.
-- A hold is settled once: captured, voided or expired, it never changes again, whatever writes it.
-- With the model's checks (captured within the amount, a release with every settlement), no hold is
-- captured twice or above its amount even by two writers that both skipped the row lock.
CREATE OR REPLACE FUNCTION ledger_guard_hold_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'holds cannot be deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'authorized' THEN
        RAISE EXCEPTION 'hold % is already %', OLD.id, OLD.status USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.wallet_id, NEW.owner_id, NEW.amount, NEW.currency, NEW.authorization_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.wallet_id, OLD.owner_id, OLD.amount, OLD.currency, OLD.authorization_id, OLD.created_at) THEN
        RAISE EXCEPTION 'the money fields of a hold are immutable' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_hold_guard ON ledger_hold;
CREATE TRIGGER ledger_hold_guard
    BEFORE UPDATE OR DELETE ON ledger_hold
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_hold_change();
