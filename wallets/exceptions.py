from rest_framework import status

from vaultpay.errors import VaultPayError


class WalletNotFound(VaultPayError):
    code = "wallet_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such wallet."


class WalletExists(VaultPayError):
    code = "wallet_exists"
    status_code = status.HTTP_409_CONFLICT
    message = "You already have a wallet."


class WalletNotEmpty(VaultPayError):
    code = "wallet_not_empty"
    status_code = status.HTTP_409_CONFLICT
    message = "A wallet can only be closed when its balance is zero and nothing is on hold."


class WalletFrozen(VaultPayError):
    code = "wallet_frozen"
    status_code = status.HTTP_409_CONFLICT
    message = "The wallet is frozen: it can neither send nor receive money."


class WalletClosed(VaultPayError):
    code = "wallet_closed"
    status_code = status.HTTP_409_CONFLICT
    message = "The wallet is closed."


class WalletBalanceCapReached(VaultPayError):
    code = "wallet_balance_cap_reached"
    status_code = status.HTTP_409_CONFLICT
    message = "This payment would take a wallet beyond the largest balance VaultPay holds."


class WalletStatusTransitionInvalid(VaultPayError):
    code = "wallet_status_transition_invalid"
    status_code = status.HTTP_409_CONFLICT
    message = "The wallet cannot move to that status."


class LimitAboveTier(VaultPayError):
    code = "limit_above_tier"
    status_code = status.HTTP_400_BAD_REQUEST
    message = "A personal limit can only be lower than the wallet's tier limit."


class LimitExceeded(VaultPayError):
    code = "limit_exceeded"
    status_code = status.HTTP_403_FORBIDDEN
    message = "This payment would exceed the wallet's spending limit."


class LimitOverrideForbidden(VaultPayError):
    code = "limit_override_forbidden"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Only admins can override a wallet's spending limits."


class WalletNotFrozen(VaultPayError):
    code = "wallet_not_frozen"
    status_code = status.HTTP_409_CONFLICT
    message = "The wallet is not frozen."


class WalletFrozenByModerator(VaultPayError):
    code = "wallet_frozen_by_moderator"
    status_code = status.HTTP_403_FORBIDDEN
    message = "This wallet was frozen by VaultPay's moderators; only they can lift the freeze."
