-- The wallet side of every posting, installed by migration 0006_wallet_move_pg and, as it is now, by
-- ledger's 0011_posting_functions_reinstalled and 0014_posting_for_holds_and_refunds.
--
-- wallet_move locks the user wallets of a posting in ascending id order (the one global order that
-- keeps two postings on the same wallets from deadlocking), checks status, currency, funds and the
-- owner's spending limits on the locked rows, then advances the usage counters and writes the user
-- balances. System wallets (@world, @fees, @suspense) are neither locked nor written: their balance
-- is the sum of their entries, so no row is shared by every deposit or withdrawal of a currency.
--
-- A refusal is returned as `outcome` (an error code VaultPay's API uses as is) with its facts in
-- `detail`, after no write at all; the caller turns it into the error response. It runs inside the
-- caller's transaction (ledger_post), which writes the transaction and its entries right after.

CREATE OR REPLACE FUNCTION wallet_move(
    p_kind text,
    p_source bigint,
    p_destination bigint,
    p_currency text,
    p_amount bigint,
    p_now timestamptz,
    p_limits jsonb,  -- {"<tier>": [daily, monthly], ..., "balance_cap": n} in minor units of p_currency
    OUT outcome text,
    OUT detail jsonb,
    OUT source_balance bigint,
    OUT destination_balance bigint
) AS $$
DECLARE
    src wallets_wallet%ROWTYPE;
    dst wallets_wallet%ROWTYPE;
    v_day date := (p_now AT TIME ZONE 'UTC')::date;
    v_month date := date_trunc('month', p_now AT TIME ZONE 'UTC')::date;
    used_day bigint := 0;
    used_month bigint := 0;
    tier_limits jsonb;
    limit_day bigint;
    limit_month bigint;
    own_day bigint;
    own_month bigint;
BEGIN
    PERFORM 1 FROM wallets_wallet WHERE id IN (p_source, p_destination) AND kind = 'user'
        ORDER BY id FOR UPDATE;
    SELECT * INTO src FROM wallets_wallet WHERE id = p_source;
    SELECT * INTO dst FROM wallets_wallet WHERE id = p_destination;
    IF src.id IS NULL OR dst.id IS NULL THEN
        outcome := 'wallet_not_found';
        detail := jsonb_build_object('wallet', COALESCE(src.public_id, dst.public_id));
        RETURN;
    END IF;

    IF src.kind = 'user' AND src.status <> 'active' THEN
        outcome := 'wallet_' || src.status;
        detail := jsonb_build_object('wallet', src.public_id);
        RETURN;
    END IF;
    -- A hold's release gives the owner back their own money: it reaches a frozen wallet too (the hold
    -- would otherwise sit in @holds for ever).
    IF dst.kind = 'user' AND dst.status <> 'active' AND p_kind <> 'hold_release' THEN
        outcome := 'wallet_' || dst.status;
        detail := jsonb_build_object('wallet', dst.public_id);
        RETURN;
    END IF;
    IF src.currency <> p_currency OR dst.currency <> p_currency THEN
        outcome := 'currency_mismatch';
        IF src.currency <> p_currency THEN
            detail := jsonb_build_object('wallet_id', src.id, 'wallet_currency', src.currency);
        ELSE
            detail := jsonb_build_object('wallet_id', dst.id, 'wallet_currency', dst.currency);
        END IF;
        RETURN;
    END IF;
    IF src.kind = 'user' AND src.balance < p_amount THEN
        outcome := 'insufficient_funds';
        detail := jsonb_build_object('balance', src.balance, 'requested', p_amount);
        RETURN;
    END IF;

    -- No wallet holds more than the cap (vaultpay.money.WALLET_BALANCE_CAP): a bigint never overflows.
    -- What its holds set aside counts, so a release always fits.
    IF dst.kind = 'user' AND p_kind <> 'hold_release'
       AND dst.balance + dst.on_hold > (p_limits ->> 'balance_cap')::bigint - p_amount THEN
        outcome := 'wallet_balance_cap_reached';
        detail := jsonb_build_object('wallet', dst.public_id);
        RETURN;
    END IF;

    -- Spending limits: only money a user sends away counts (a reversal or a refund is not spending). A
    -- hold counts when it is authorized, and its capture (paid from the released money) not again.
    IF src.kind = 'user' AND p_kind IN ('withdrawal', 'transfer', 'hold') THEN
        SELECT CASE WHEN u.day = v_day THEN u.day_total ELSE 0 END,
               CASE WHEN u.month = v_month THEN u.month_total ELSE 0 END
          INTO used_day, used_month
          FROM wallets_walletusage u
         WHERE u.owner_id = src.owner_id AND u.currency = p_currency
           FOR UPDATE;
        used_day := COALESCE(used_day, 0);
        used_month := COALESCE(used_month, 0);
        tier_limits := p_limits -> src.limit_tier;
        limit_day := (tier_limits ->> 0)::bigint;
        limit_month := (tier_limits ->> 1)::bigint;
        -- An admin's override of this wallet's limits (wallets.limit_overrides), until it expires.
        IF src.limit_override_expires_at IS NULL OR src.limit_override_expires_at > p_now THEN
            limit_day := COALESCE(src.limit_override_daily, limit_day);
            limit_month := COALESCE(src.limit_override_monthly, limit_month);
        END IF;
        -- The owner's own lower limits (wallets.personal_limits), the newest already in force.
        SELECT amount INTO own_day FROM wallets_personallimit
         WHERE wallet_id = src.id AND period = 'daily' AND effective_at <= p_now
         ORDER BY effective_at DESC, id DESC LIMIT 1;
        SELECT amount INTO own_month FROM wallets_personallimit
         WHERE wallet_id = src.id AND period = 'monthly' AND effective_at <= p_now
         ORDER BY effective_at DESC, id DESC LIMIT 1;
        limit_day := LEAST(limit_day, COALESCE(own_day, limit_day));
        limit_month := LEAST(limit_month, COALESCE(own_month, limit_month));
        IF used_day + p_amount > limit_day THEN
            outcome := 'limit_exceeded';
            detail := jsonb_build_object('period', 'daily', 'tier', src.limit_tier,
                'limit', limit_day, 'used', used_day, 'requested', p_amount);
            RETURN;
        END IF;
        IF used_month + p_amount > limit_month THEN
            outcome := 'limit_exceeded';
            detail := jsonb_build_object('period', 'monthly', 'tier', src.limit_tier,
                'limit', limit_month, 'used', used_month, 'requested', p_amount);
            RETURN;
        END IF;
        INSERT INTO wallets_walletusage (owner_id, currency, day, day_total, month, month_total)
        VALUES (src.owner_id, p_currency, v_day, used_day + p_amount, v_month, used_month + p_amount)
        ON CONFLICT (owner_id, currency) DO UPDATE
            SET day = EXCLUDED.day, day_total = EXCLUDED.day_total,
                month = EXCLUDED.month, month_total = EXCLUDED.month_total;
    END IF;

    IF src.kind = 'user' THEN
        UPDATE wallets_wallet SET balance = balance - p_amount, updated_at = p_now
         WHERE id = p_source RETURNING balance INTO source_balance;
    END IF;
    IF dst.kind = 'user' THEN
        UPDATE wallets_wallet SET balance = balance + p_amount, updated_at = p_now
         WHERE id = p_destination RETURNING balance INTO destination_balance;
    END IF;
    outcome := 'ok';
END;
$$ LANGUAGE plpgsql;
