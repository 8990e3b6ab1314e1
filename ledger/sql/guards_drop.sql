DROP TRIGGER IF EXISTS ledger_transaction_balanced ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_transaction_guard ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_check_transaction_balanced();
DROP FUNCTION IF EXISTS ledger_guard_transaction_change();
DROP FUNCTION IF EXISTS ledger_refuse_entry_change();
