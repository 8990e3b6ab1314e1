DROP FUNCTION IF EXISTS account_money_gate(bigint, text, text, text, boolean, integer);
