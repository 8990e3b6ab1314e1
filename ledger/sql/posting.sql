-- The ledger side of every posting, installed by migration 0008_posting_pg and, as it is now, by
-- 0011_posting_functions_reinstalled, 0012_new_recipient_check_by_wallet_ids,
-- 0014_posting_for_holds_and_refunds and 0015_holds_in_one_round_trip.
--
-- ledger_post: wallet_move (wallets/sql/wallet_move.sql: locks, status, funds, limits, balances), then
-- the transaction, its two entries, the audit event and the outbox row that delivers the receipts,
-- all in the caller's database transaction. No lock is taken here beyond the user wallets' rows:
-- the audit event is appended unchained (audit.sealing links it into the chain later) and the
-- outbox row is an insert, so postings on disjoint wallets never wait for each other.
--
-- ledger_request_gate: what every money request passes before it posts: the account gate and the
-- idempotency key (held by an advisory lock until COMMIT, then answered from its record).
--
-- ledger_money_request: one API money request (deposit, withdrawal, transfer, a hold's
-- authorization) in one round trip: the gate, the wallets, ledger_post, the idempotency record (and
-- for a hold the hold itself: ledger.services.holds). Called as one statement in autocommit, it is
-- one database transaction. A hold's capture, void and expiry are ledger_hold_settle()
-- (hold_settle.sql), behind the same gate; a refund calls the gate alone, in its own transaction,
-- and posts from Python (ledger.services.request_gate.gated_request).
--

CREATE OR REPLACE FUNCTION ledger_post(
    p_kind text,
    p_source bigint,
    p_destination bigint,
    p_currency text,
    p_amount bigint,
    p_limits jsonb,
    p_transaction_id uuid,
    p_reference text,
    p_initiator bigint,
    p_description text,
    p_metadata jsonb,
    p_reverses uuid,
    p_audit jsonb,  -- {"actor_role", "request_id", "ip_hash", "new_values"}
    p_now timestamptz,
    OUT outcome text,
    OUT detail jsonb,
    OUT source_balance bigint,
    OUT destination_balance bigint,
    OUT created_at timestamptz
) AS $$
BEGIN
    created_at := p_now;
    SELECT m.outcome, m.detail, m.source_balance, m.destination_balance
      INTO outcome, detail, source_balance, destination_balance
      FROM wallet_move(p_kind, p_source, p_destination, p_currency, p_amount, created_at, p_limits) m;
    IF outcome <> 'ok' THEN
        RETURN;
    END IF;
    INSERT INTO ledger_transaction (id, reference, kind, status, amount, currency, from_wallet_id, to_wallet_id,
                                    initiator_id, description, metadata, reverses_id, created_at)
    VALUES (p_transaction_id, p_reference, p_kind, 'posted', p_amount, p_currency, p_source, p_destination,
            p_initiator, p_description, p_metadata, p_reverses, created_at);
    INSERT INTO ledger_entry (transaction_id, wallet_id, direction, amount, currency, balance_after, created_at)
    VALUES (p_transaction_id, p_source, 'debit', p_amount, p_currency, source_balance, created_at),
           (p_transaction_id, p_destination, 'credit', p_amount, p_currency, destination_balance, created_at);
    INSERT INTO audit_auditevent (occurred_at, event_type, actor_id, actor_role, target_type, target_id,
                                  request_id, ip_hash, old_values, new_values)
    VALUES (created_at, 'money.posted', p_initiator, COALESCE(p_audit ->> 'actor_role', ''), 'ledger.transaction',
            p_transaction_id::text, COALESCE(p_audit ->> 'request_id', ''), COALESCE(p_audit ->> 'ip_hash', ''),
            '{}'::jsonb, p_audit -> 'new_values');
    INSERT INTO ledger_outboxmessage (topic, subject_id, created_at)
    VALUES ('transaction.receipts', p_transaction_id::text, created_at);
END;
$$ LANGUAGE plpgsql;


-- Unsolicited payments: how many transfers the sender made today to a recipient they never paid
-- before today (0 for an established payee, who is capped by the spending limits only). Counted by
-- owner, not wallet: closing and reopening a wallet changes nothing. transaction_payee_idx.
CREATE OR REPLACE FUNCTION ledger_new_recipient_payments_today(p_sender bigint, p_recipient bigint, p_now timestamptz)
RETURNS bigint AS $$
DECLARE
    v_day_start timestamptz := ((p_now AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'UTC';
    v_from bigint[];
    v_to bigint[];
BEGIN
    -- The owners' wallets as arrays first: each lookup below is then a range of transaction_payee_idx.
    SELECT array_agg(id) INTO v_from FROM wallets_wallet WHERE owner_id = p_sender;
    SELECT array_agg(id) INTO v_to FROM wallets_wallet WHERE owner_id = p_recipient;
    IF EXISTS (SELECT 1 FROM ledger_transaction
                WHERE from_wallet_id = ANY (v_from) AND to_wallet_id = ANY (v_to)
                  AND created_at < v_day_start AND kind = 'transfer') THEN
        RETURN 0;
    END IF;
    RETURN (SELECT count(*) FROM ledger_transaction
             WHERE from_wallet_id = ANY (v_from) AND to_wallet_id = ANY (v_to)
               AND created_at >= v_day_start AND kind = 'transfer');
END;
$$ LANGUAGE plpgsql STABLE;


CREATE OR REPLACE FUNCTION ledger_request_gate(
    p_user bigint,
    p_ip_hash text,           -- NULL once accounts.services.ip_trust has let the address through
    p_pin_salt text,
    p_pin_hash text,          -- NULL when no PIN is needed, or once accounts.services.pin has checked it
    p_sender_check boolean,   -- money leaves the account, until accounts.services.step_up has looked
    p_auth_version integer,   -- the access token's (NULL: the caller vouches for the user)
    p_idempotency_lock bigint,
    p_idempotency_key text,
    p_fingerprint text,
    p_now timestamptz,
    OUT outcome text,         -- 'ok', 'replayed', or what account_money_gate or the key refused
    OUT detail jsonb,
    OUT transaction_id uuid,  -- the replayed request's transaction
    OUT actor_role text
) AS $$
DECLARE
    earlier ledger_idempotencyrecord%ROWTYPE;
BEGIN
    SELECT g.outcome, g.detail, g.actor_role INTO outcome, detail, actor_role
      FROM account_money_gate(p_user, p_ip_hash, p_pin_salt, p_pin_hash, p_sender_check, p_auth_version) g;
    IF outcome <> 'ok' THEN
        RETURN;
    END IF;

    -- The key is held until COMMIT: a concurrent duplicate is answered at once, never waits.
    IF NOT pg_try_advisory_xact_lock(p_idempotency_lock) THEN
        outcome := 'idempotency_request_in_progress';
        RETURN;
    END IF;
    SELECT * INTO earlier FROM ledger_idempotencyrecord WHERE user_id = p_user AND key = p_idempotency_key;
    IF earlier.id IS NOT NULL THEN
        IF earlier.expires_at <= p_now THEN
            DELETE FROM ledger_idempotencyrecord WHERE id = earlier.id;  -- expired, not yet purged: free again
        ELSIF earlier.fingerprint <> p_fingerprint THEN
            outcome := 'idempotency_key_reused';
        ELSE
            outcome := 'replayed';
            transaction_id := earlier.transaction_id;
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;


CREATE OR REPLACE FUNCTION ledger_money_request(
    p_kind text,              -- deposit, withdrawal, transfer or hold
    p_user bigint,
    p_ip_hash text,           -- NULL once accounts.services.ip_trust has let the address through
    p_pin_salt text,
    p_pin_hash text,          -- NULL for a deposit, or once accounts.services.pin has checked the PIN
    p_sender_check boolean,   -- withdrawals and transfers, until accounts.services.step_up has looked
    p_auth_version integer,   -- the access token's (NULL: the caller vouches for the user)
    p_idempotency_lock bigint,
    p_idempotency_key text,
    p_fingerprint text,
    p_idempotency_ttl interval,
    p_recipient text,         -- a transfer's recipient wallet (public id), a hold's default payee; or NULL
    p_currency text,
    p_amount bigint,
    p_limits jsonb,
    p_transaction_id uuid,
    p_reference text,
    p_description text,
    p_metadata jsonb,
    p_audit jsonb,
    p_now timestamptz,
    p_new_recipient_max integer,  -- transfers a day to someone never paid before a day (NULL: no cap)
    p_hold_lifetime interval,  -- how long a hold lasts uncaptured; NULL for every other kind
    OUT outcome text,
    OUT detail jsonb,
    OUT transaction_id uuid,
    OUT created_at timestamptz,
    OUT wallet_id bigint,
    OUT wallet_public_id text,
    OUT wallet_balance bigint,
    OUT counterparty_id bigint,
    OUT counterparty_public_id text,
    OUT counterparty_first_name text,
    OUT counterparty_last_name text
) AS $$
DECLARE
    gate record;
    v_counterparty_owner bigint;
    v_wallet_currency text;
    v_paid_today bigint;
    v_payee_currency text;
    v_system_wallet bigint;
    v_hold_id uuid;
    posted record;
BEGIN
    SELECT * INTO gate FROM ledger_request_gate(p_user, p_ip_hash, p_pin_salt, p_pin_hash, p_sender_check,
                                                p_auth_version, p_idempotency_lock, p_idempotency_key,
                                                p_fingerprint, p_now);
    IF gate.outcome <> 'ok' THEN
        outcome := gate.outcome;
        detail := gate.detail;
        transaction_id := gate.transaction_id;
        RETURN;
    END IF;

    SELECT id, public_id, currency INTO wallet_id, wallet_public_id, v_wallet_currency
      FROM wallets_wallet WHERE owner_id = p_user AND kind = 'user' AND status <> 'closed';
    IF wallet_id IS NULL THEN
        outcome := 'no_wallet';
        RETURN;
    END IF;
    IF v_wallet_currency <> p_currency THEN  -- before any lookup of the currency's system wallet
        outcome := 'currency_mismatch';
        detail := jsonb_build_object('wallet_id', wallet_id, 'wallet_currency', v_wallet_currency);
        RETURN;
    END IF;
    IF p_kind = 'transfer' THEN
        SELECT id, owner_id, public_id INTO counterparty_id, v_counterparty_owner, counterparty_public_id
          FROM wallets_wallet WHERE public_id = p_recipient AND kind = 'user';
        IF counterparty_id IS NULL THEN
            outcome := 'recipient_not_found';
            RETURN;
        END IF;
        IF v_counterparty_owner = p_user THEN
            outcome := 'self_transfer';
            RETURN;
        END IF;
        SELECT first_name, last_name INTO counterparty_first_name, counterparty_last_name
          FROM accounts_user WHERE id = v_counterparty_owner;
        -- Both wallets locked now, in id order (wallet_move takes the same locks again: a no-op), so a
        -- sender's concurrent payments to a new recipient are counted one after the other.
        PERFORM 1 FROM wallets_wallet WHERE id IN (wallet_id, counterparty_id) ORDER BY id FOR UPDATE;
        IF p_new_recipient_max IS NOT NULL THEN
            SELECT ledger_new_recipient_payments_today(p_user, v_counterparty_owner, p_now) INTO v_paid_today;
            IF v_paid_today >= p_new_recipient_max THEN
                outcome := 'new_recipient_daily_limit';
                detail := jsonb_build_object('max_per_day', p_new_recipient_max);
                RETURN;
            END IF;
        END IF;
    ELSE
        IF p_kind = 'hold' AND p_recipient IS NOT NULL THEN
            -- The default payee of a later capture: checked now, as one in another currency could never be paid.
            SELECT id, owner_id, public_id, currency
              INTO counterparty_id, v_counterparty_owner, counterparty_public_id, v_payee_currency
              FROM wallets_wallet WHERE public_id = p_recipient AND kind = 'user' AND status <> 'closed';
            IF counterparty_id IS NULL THEN
                outcome := 'recipient_not_found';
                RETURN;
            END IF;
            IF v_counterparty_owner = p_user THEN
                outcome := 'self_transfer';
                RETURN;
            END IF;
            IF v_payee_currency <> p_currency THEN
                outcome := 'currency_mismatch';
                detail := jsonb_build_object('wallet_id', counterparty_id, 'wallet_currency', v_payee_currency);
                RETURN;
            END IF;
        END IF;
        -- Money leaving or entering VaultPay meets @world; a hold's goes to @holds until it settles.
        SELECT id INTO v_system_wallet
          FROM wallets_wallet WHERE kind = 'system' AND currency = p_currency
           AND system_purpose = CASE WHEN p_kind = 'hold' THEN 'holds' ELSE 'world' END;
        IF v_system_wallet IS NULL THEN
            outcome := 'system_wallet_missing';
            detail := jsonb_build_object('purpose', CASE WHEN p_kind = 'hold' THEN 'holds' ELSE 'world' END);
            RETURN;
        END IF;
        IF p_kind <> 'hold' THEN
            counterparty_id := v_system_wallet;  -- a hold's counterparty is its default payee
        END IF;
    END IF;

    SELECT * INTO posted FROM ledger_post(
        p_kind,
        CASE WHEN p_kind = 'deposit' THEN counterparty_id ELSE wallet_id END,
        CASE WHEN p_kind = 'deposit' THEN wallet_id WHEN p_kind = 'hold' THEN v_system_wallet
             ELSE counterparty_id END,
        p_currency, p_amount, p_limits, p_transaction_id, p_reference, p_user, p_description, p_metadata, NULL,
        p_audit || jsonb_build_object('actor_role', gate.actor_role), p_now);
    outcome := posted.outcome;
    detail := posted.detail;
    IF outcome <> 'ok' THEN
        RETURN;
    END IF;
    IF p_kind = 'hold' THEN
        -- The wallet's row is locked by the posting: its on_hold moves with its balance.
        UPDATE wallets_wallet SET on_hold = on_hold + p_amount WHERE id = wallet_id;
        v_hold_id := gen_random_uuid();
        INSERT INTO ledger_hold (id, wallet_id, owner_id, amount, currency, to_wallet_id, description, metadata,
                                 status, captured_amount, expires_at, authorization_id, created_at)
        VALUES (v_hold_id, wallet_id, p_user, p_amount, p_currency, counterparty_id, p_description, p_metadata,
                'authorized', 0, posted.created_at + p_hold_lifetime, p_transaction_id, posted.created_at);
        INSERT INTO audit_auditevent (occurred_at, event_type, actor_id, actor_role, target_type, target_id,
                                      request_id, ip_hash, old_values, new_values)
        VALUES (posted.created_at, 'hold.authorized', p_user, gate.actor_role, 'ledger.hold', v_hold_id::text,
                COALESCE(p_audit ->> 'request_id', ''), COALESCE(p_audit ->> 'ip_hash', ''), '{}'::jsonb,
                jsonb_build_object('amount', p_audit -> 'new_values' -> 'amount',
                                   'expires_at', to_jsonb(posted.created_at + p_hold_lifetime)));
        -- Its webhook event leaves through the outbox, like the posting's receipts (ledger.outbox).
        INSERT INTO ledger_outboxmessage (topic, subject_id, created_at)
        VALUES ('hold.events', v_hold_id::text || ':hold.authorized', posted.created_at);
        detail := jsonb_build_object('hold_id', v_hold_id);
    END IF;
    INSERT INTO ledger_idempotencyrecord (user_id, key, fingerprint, transaction_id, response_status,
                                          created_at, expires_at)
    VALUES (p_user, p_idempotency_key, p_fingerprint, p_transaction_id, 201, posted.created_at,
            posted.created_at + p_idempotency_ttl);
    transaction_id := p_transaction_id;
    created_at := posted.created_at;
    wallet_balance := CASE WHEN p_kind = 'deposit' THEN posted.destination_balance ELSE posted.source_balance END;
END;
$$ LANGUAGE plpgsql;
