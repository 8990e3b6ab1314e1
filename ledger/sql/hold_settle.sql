-- A hold's settlement in one round trip, installed by migration 0015_holds_in_one_round_trip.
--
-- ledger_hold_settle: a capture or a void by the hold's owner (behind the money request's gate and
-- idempotency key, ledger_request_gate in posting.sql), or the expiry sweep's release. The hold's row
-- is locked first, then the user wallets in id order: a capture, a void and the expiry racing on one
-- hold are served one after the other, and only the first finds it authorized. Every settlement
-- posts a `hold_release` of the whole hold from @holds back to its wallet; a capture then pays the
-- captured part from that wallet as a `hold_capture`, to the payee or out of VaultPay (@world), so
-- the payee sees a payment from the owner and the rest is simply left in the wallet. A refused
-- capture (a payee frozen since, its balance cap) undoes the release with it. Then the hold, the
-- wallet's on_hold, the audit event, the webhook's outbox row (topic hold.events) and the
-- idempotency record. Called as one statement in autocommit, it is one database transaction.

CREATE OR REPLACE FUNCTION ledger_hold_settle(
    p_action text,            -- capture, void or expire
    p_user bigint,            -- the owner asking; NULL for the expiry sweep (no gate, no key)
    p_ip_hash text,
    p_pin_salt text,
    p_pin_hash text,
    p_sender_check boolean,
    p_auth_version integer,
    p_idempotency_lock bigint,
    p_idempotency_key text,
    p_fingerprint text,
    p_idempotency_ttl interval,
    p_hold uuid,
    p_amount bigint,          -- a capture's amount; NULL: all of it
    p_payee text,             -- a capture's payee wallet (public id); NULL: the hold's, else @world
    p_limits jsonb,
    p_release_id uuid,
    p_release_reference text,
    p_capture_id uuid,
    p_capture_reference text,
    p_audit jsonb,            -- {"request_id", "ip_hash", "release_amount", "capture_amount"}
    p_now timestamptz,
    OUT outcome text,
    OUT detail jsonb,
    OUT transaction_id uuid   -- what the idempotency record names: the capture, or the release
) AS $$
DECLARE
    gate record;
    hold ledger_hold%ROWTYPE;
    v_actor_role text := '';
    v_amount bigint;
    v_holds bigint;
    v_payee wallets_wallet%ROWTYPE;
    v_payee_label text;
    released record;
    captured record;
    v_status text;
BEGIN
    IF p_user IS NOT NULL THEN
        SELECT * INTO gate FROM ledger_request_gate(p_user, p_ip_hash, p_pin_salt, p_pin_hash, p_sender_check,
                                                    p_auth_version, p_idempotency_lock, p_idempotency_key,
                                                    p_fingerprint, p_now);
        IF gate.outcome <> 'ok' THEN
            outcome := gate.outcome;
            detail := gate.detail;
            transaction_id := gate.transaction_id;
            RETURN;
        END IF;
        v_actor_role := gate.actor_role;
        SELECT * INTO hold FROM ledger_hold WHERE id = p_hold AND owner_id = p_user FOR UPDATE;
    ELSE
        -- The sweep leaves a hold whose settlement is under way to that settlement.
        SELECT * INTO hold FROM ledger_hold WHERE id = p_hold FOR UPDATE SKIP LOCKED;
    END IF;
    IF hold.id IS NULL THEN
        outcome := 'hold_not_found';
        RETURN;
    END IF;
    IF hold.status <> 'authorized' THEN
        outcome := 'hold_not_authorized';
        detail := jsonb_build_object('status', hold.status);
        RETURN;
    END IF;
    IF p_action = 'expire' AND hold.expires_at > p_now THEN
        outcome := 'hold_not_due';
        RETURN;
    END IF;

    SELECT id INTO v_holds FROM wallets_wallet
     WHERE kind = 'system' AND currency = hold.currency AND system_purpose = 'holds';
    IF p_action = 'capture' THEN
        IF hold.expires_at <= p_now THEN
            outcome := 'hold_expired';
            detail := jsonb_build_object('expires_at', hold.expires_at);
            RETURN;
        END IF;
        v_amount := COALESCE(p_amount, hold.amount);
        IF v_amount > hold.amount THEN
            outcome := 'hold_capture_exceeds_amount';
            detail := jsonb_build_object('amount', hold.amount);
            RETURN;
        END IF;
        IF p_payee IS NOT NULL THEN
            SELECT * INTO v_payee FROM wallets_wallet
             WHERE public_id = p_payee AND kind = 'user' AND status <> 'closed';
            IF v_payee.id IS NULL THEN
                outcome := 'recipient_not_found';
                RETURN;
            END IF;
            IF v_payee.owner_id = p_user THEN
                outcome := 'self_transfer';
                RETURN;
            END IF;
            IF v_payee.currency <> hold.currency THEN
                outcome := 'currency_mismatch';
                detail := jsonb_build_object('wallet_id', v_payee.id, 'wallet_currency', v_payee.currency);
                RETURN;
            END IF;
        ELSIF hold.to_wallet_id IS NOT NULL THEN
            SELECT * INTO v_payee FROM wallets_wallet WHERE id = hold.to_wallet_id;
        ELSE
            SELECT * INTO v_payee FROM wallets_wallet
             WHERE kind = 'system' AND currency = hold.currency AND system_purpose = 'world';
            IF v_payee.id IS NULL THEN
                outcome := 'system_wallet_missing';
                detail := jsonb_build_object('purpose', 'world');
                RETURN;
            END IF;
        END IF;
        v_payee_label := CASE WHEN v_payee.kind = 'user' THEN v_payee.public_id
                              ELSE '@' || v_payee.system_purpose || ' ' || v_payee.currency END;
    END IF;

    -- The user wallets in id order before either posting: the release locks the owner's, the capture
    -- then the payee's, and two settlements paying each other's owners must not deadlock.
    PERFORM 1 FROM wallets_wallet WHERE id IN (hold.wallet_id, v_payee.id) AND kind = 'user'
        ORDER BY id FOR UPDATE;
    BEGIN
        SELECT * INTO released FROM ledger_post(
            'hold_release', v_holds, hold.wallet_id, hold.currency, hold.amount, p_limits, p_release_id,
            p_release_reference, p_user, 'Hold release', '{}'::jsonb, NULL,
            jsonb_build_object('actor_role', v_actor_role, 'request_id', COALESCE(p_audit ->> 'request_id', ''),
                               'ip_hash', COALESCE(p_audit ->> 'ip_hash', ''),
                               'new_values', jsonb_build_object('reference', p_release_reference,
                                   'kind', 'hold_release', 'amount', p_audit -> 'release_amount')),
            p_now);
        IF released.outcome <> 'ok' THEN  -- a hold's release is never refused (wallet_move lets it through)
            RAISE EXCEPTION 'hold % could not be released: %', hold.id, released.outcome;
        END IF;
        UPDATE wallets_wallet SET on_hold = on_hold - hold.amount WHERE id = hold.wallet_id;
        IF p_action = 'capture' THEN
            SELECT * INTO captured FROM ledger_post(
                'hold_capture', hold.wallet_id, v_payee.id, hold.currency, v_amount, p_limits, p_capture_id,
                p_capture_reference, p_user, COALESCE(NULLIF(hold.description, ''), 'Hold capture'), hold.metadata,
                NULL,
                jsonb_build_object('actor_role', v_actor_role, 'request_id', COALESCE(p_audit ->> 'request_id', ''),
                                   'ip_hash', COALESCE(p_audit ->> 'ip_hash', ''),
                                   'new_values', jsonb_build_object('reference', p_capture_reference,
                                       'kind', 'hold_capture', 'amount', p_audit -> 'capture_amount')),
                p_now);
            IF captured.outcome <> 'ok' THEN
                RAISE EXCEPTION USING ERRCODE = 'VP001', MESSAGE = captured.outcome,
                    DETAIL = COALESCE(captured.detail::text, '');
            END IF;
        END IF;
    EXCEPTION WHEN SQLSTATE 'VP001' THEN
        -- The payee refused the capture: the release is undone with it and the hold stays authorized.
        GET STACKED DIAGNOSTICS outcome = MESSAGE_TEXT, v_status = PG_EXCEPTION_DETAIL;
        detail := NULLIF(v_status, '')::jsonb;
        RETURN;
    END;

    v_status := CASE p_action WHEN 'capture' THEN 'captured' WHEN 'void' THEN 'voided' ELSE 'expired' END;
    UPDATE ledger_hold
       SET status = v_status,
           captured_amount = COALESCE(v_amount, 0),
           release_id = p_release_id,
           capture_id = CASE WHEN p_action = 'capture' THEN p_capture_id END,
           settled_at = released.created_at
     WHERE id = hold.id;
    INSERT INTO audit_auditevent (occurred_at, event_type, actor_id, actor_role, target_type, target_id,
                                  request_id, ip_hash, old_values, new_values)
    VALUES (released.created_at, 'hold.' || v_status, p_user, v_actor_role, 'ledger.hold', hold.id::text,
            COALESCE(p_audit ->> 'request_id', ''), COALESCE(p_audit ->> 'ip_hash', ''), '{}'::jsonb,
            CASE WHEN p_action = 'capture'
                 THEN jsonb_build_object('captured', p_audit -> 'capture_amount', 'payee', v_payee_label,
                                         'capture', p_capture_reference)
                 ELSE '{}'::jsonb END);
    INSERT INTO ledger_outboxmessage (topic, subject_id, created_at)
    VALUES ('hold.events', hold.id::text || ':hold.' || v_status, released.created_at);
    transaction_id := CASE WHEN p_action = 'capture' THEN p_capture_id ELSE p_release_id END;
    IF p_user IS NOT NULL THEN
        INSERT INTO ledger_idempotencyrecord (user_id, key, fingerprint, transaction_id, response_status,
                                              created_at, expires_at)
        VALUES (p_user, p_idempotency_key, p_fingerprint, transaction_id, 201, released.created_at,
                released.created_at + p_idempotency_ttl);
    END IF;
    outcome := 'ok';
END;
$$ LANGUAGE plpgsql;
