"""The one place a signed-in caller proves, beyond their access token, that they are the account's owner."""

from accounts.services.pin import pin_verify


def owner_proof_check(*, user, pin: str) -> None:
    """Raise unless `pin` proves `user` is present: today the transaction PIN.

    Used before an owner undoes a protection of their own (lifting a self-made wallet freeze). Two-factor
    authentication, when the user has it on, is checked here as well, so every such endpoint asks for it.
    Like the money gate it runs outside the caller's transaction: a wrong PIN is committed as a wrong try.
    Raises PinNotSet, PinLocked, PinInvalid.
    """
    pin_verify(user=user, pin=pin)
