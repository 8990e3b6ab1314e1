DROP TRIGGER IF EXISTS ledger_hold_guard ON ledger_hold;
DROP FUNCTION IF EXISTS ledger_guard_hold_change();
