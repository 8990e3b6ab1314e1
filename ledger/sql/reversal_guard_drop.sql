DROP TRIGGER IF EXISTS ledger_reversal_guard ON ledger_transaction;
DROP FUNCTION IF EXISTS ledger_guard_reversal();
