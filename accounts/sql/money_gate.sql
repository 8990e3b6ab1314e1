-- The account side of a money request, installed by migration 0005_money_gate_pg.
--
-- account_money_gate answers the common case in the request's one round trip: an active user, sending
-- from an address they trust, with the right PIN on a clean PIN row (no wrong tries, no lockout).
-- Anything else is not decided here: `outcome` 'ip_check' or 'pin_check' sends the caller to the
-- Python services that own those rules (accounts.services.ip_trust, accounts.services.pin), which
-- record the unseen address, count the wrong try under its row lock, audit and email, then raise the
-- refusal or let the request through. The PIN's HMAC is computed by the caller (the pepper never
-- reaches the database); `detail.salt` tells a caller whose cached salt is stale which one to use.

CREATE OR REPLACE FUNCTION account_money_gate(
    p_user bigint,
    p_ip_hash text,      -- NULL: the address was already checked by accounts.services.ip_trust
    p_pin_salt text,
    p_pin_hash text,     -- NULL: no PIN needed (a deposit) or already verified by accounts.services.pin
    OUT outcome text,
    OUT detail jsonb,
    OUT actor_role text
) AS $$
DECLARE
    v_active boolean;
    v_ip_status text;
    pin accounts_transactionpin%ROWTYPE;
BEGIN
    SELECT is_active, role INTO v_active, actor_role FROM accounts_user WHERE id = p_user;
    IF v_active IS NOT TRUE THEN
        outcome := 'user_inactive';
        RETURN;
    END IF;
    IF p_ip_hash IS NOT NULL THEN
        SELECT status INTO v_ip_status FROM accounts_knownip WHERE user_id = p_user AND ip_hash = p_ip_hash;
        IF v_ip_status IS DISTINCT FROM 'trusted' THEN
            outcome := 'ip_check';
            RETURN;
        END IF;
    END IF;
    IF p_pin_hash IS NOT NULL THEN
        SELECT * INTO pin FROM accounts_transactionpin WHERE user_id = p_user;
        IF pin.user_id IS NULL OR pin.failed_attempts <> 0 OR pin.locked_until IS NOT NULL
           OR pin.salt IS DISTINCT FROM p_pin_salt OR pin.pin_hash IS DISTINCT FROM p_pin_hash THEN
            outcome := 'pin_check';
            detail := jsonb_build_object('salt', pin.salt);
            RETURN;
        END IF;
    END IF;
    outcome := 'ok';
END;
$$ LANGUAGE plpgsql STABLE;
