-- Reverses migration 0006_wallet_move_pg.
DROP FUNCTION IF EXISTS wallet_move(text, bigint, bigint, text, bigint, timestamptz, jsonb);
