-- The account side of a money request, installed by migration 0005_money_gate_pg and, as it is now,
-- by ledger's 0011_posting_functions_reinstalled.
--
-- account_money_gate answers the common case in the request's one round trip: an active user whose
-- access token is still current (the money endpoints load no user row before this), sending
-- from an address they trust, with the right PIN on a clean PIN row (no wrong tries, no lockout),
-- and, when money leaves the account, a verified email address and no two-factor step-up to ask for.
-- Anything else is not decided here: `outcome` 'ip_check', 'pin_check' or 'step_up_check' sends the
-- caller to the Python services that own those rules (accounts.services.ip_trust, .pin, .step_up),
-- which record the unseen address, count the wrong try under its row lock, verify the one-time code,
-- audit and email, then raise the refusal or let the request through. The PIN's HMAC is computed by the caller (the pepper never
-- reaches the database); `detail.salt` tells a caller whose cached salt is stale which one to use.

CREATE OR REPLACE FUNCTION account_money_gate(
    p_user bigint,
    p_ip_hash text,      -- NULL: the address was already checked by accounts.services.ip_trust
    p_pin_salt text,
    p_pin_hash text,     -- NULL: no PIN needed (a deposit) or already verified by accounts.services.pin
    p_sender_check boolean,  -- money leaves the account and accounts.services.step_up has not looked yet
    p_auth_version integer,  -- the access token's auth_version (NULL: the caller vouches for the user)
    OUT outcome text,
    OUT detail jsonb,
    OUT actor_role text
) AS $$
DECLARE
    v_active boolean;
    v_email_verified_at timestamptz;
    v_two_factor boolean;
    v_auth_version integer;
    v_ip_status text;
    pin accounts_transactionpin%ROWTYPE;
BEGIN
    SELECT is_active, role, email_verified_at, two_factor_enabled, auth_version
      INTO v_active, actor_role, v_email_verified_at, v_two_factor, v_auth_version
      FROM accounts_user WHERE id = p_user;
    IF v_active IS NOT TRUE THEN
        outcome := 'user_inactive';
        RETURN;
    END IF;
    IF p_auth_version IS NOT NULL AND p_auth_version <> v_auth_version THEN
        outcome := 'token_outdated';  -- issued before a password change, a reset or a logout everywhere
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
    IF p_sender_check THEN
        IF v_email_verified_at IS NULL THEN
            outcome := 'email_not_verified';
            RETURN;
        END IF;
        IF v_two_factor THEN  -- the amount's threshold and the recipient's history decide: Python's
            outcome := 'step_up_check';
            RETURN;
        END IF;
    END IF;
    outcome := 'ok';
END;
$$ LANGUAGE plpgsql STABLE;
