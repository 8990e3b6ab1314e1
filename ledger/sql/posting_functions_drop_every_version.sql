-- Run by migrations 0011_posting_functions_reinstalled, 0014_posting_for_holds_and_refunds and
-- 0015_holds_in_one_round_trip: every version of the posting's functions goes (their
-- signatures grew with the money path), then the current SQL files are run.
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema()
           AND p.proname IN ('ledger_money_request', 'ledger_request_gate', 'ledger_hold_settle', 'ledger_post',
                             'ledger_new_recipient_payments_today',
                             'account_money_gate', 'wallet_move')
    LOOP
        EXECUTE 'DROP FUNCTION ' || fn;
    END LOOP;
END;
$$;
