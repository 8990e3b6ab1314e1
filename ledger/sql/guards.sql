-- PostgreSQL guards of the ledger's rules, installed by migration 0002_ledger_guards.
-- The application never breaks these rules; the database refuses it if anything ever tries.

-- Entries are immutable: corrections are new reversal transactions.
CREATE OR REPLACE FUNCTION ledger_refuse_entry_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;
CREATE TRIGGER ledger_entry_immutable
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_entry_change();

-- A posted transaction is never deleted; only its status may change (posted -> reversed ...).
CREATE OR REPLACE FUNCTION ledger_guard_transaction_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'posted transactions cannot be deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.reference, NEW.kind, NEW.amount, NEW.currency, NEW.from_wallet_id, NEW.to_wallet_id,
        NEW.reverses_id, NEW.initiator_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.reference, OLD.kind, OLD.amount, OLD.currency, OLD.from_wallet_id, OLD.to_wallet_id,
        OLD.reverses_id, OLD.initiator_id, OLD.created_at) THEN
        RAISE EXCEPTION 'the money fields of a posted transaction are immutable'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_transaction_guard ON ledger_transaction;
CREATE TRIGGER ledger_transaction_guard
    BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_transaction_change();

-- At commit, every transaction touched has at least two entries and its debits equal its credits.
CREATE OR REPLACE FUNCTION ledger_check_transaction_balanced() RETURNS trigger AS $$
DECLARE
    txn_id uuid;
    net bigint;
    entry_count integer;
BEGIN
    IF TG_TABLE_NAME = 'ledger_entry' THEN
        txn_id := NEW.transaction_id;
    ELSE
        txn_id := NEW.id;
    END IF;
    SELECT COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount ELSE -amount END), 0), COUNT(*)
      INTO net, entry_count
      FROM ledger_entry WHERE transaction_id = txn_id;
    IF entry_count < 2 OR net <> 0 THEN
        RAISE EXCEPTION 'transaction % does not balance (net %, % entries)', txn_id, net, entry_count
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();

DROP TRIGGER IF EXISTS ledger_transaction_balanced ON ledger_transaction;
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced
    AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();
