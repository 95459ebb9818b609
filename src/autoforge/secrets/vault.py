"""Encryption of stored secrets with Fernet: the newest key encrypts, any listed key decrypts
(MultiFernet), so keys rotate without a flag day. Pure: no web, no database.

Messages never quote a key or a value: they end up in logs and problem answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from autoforge.errors import AutoforgeError

# A display form shows the last characters only of a value long enough that they give
# nothing useful away; a short value shows none.
_DISPLAY_MIN_CHARS = 12


class SecretsUnavailable(AutoforgeError):
    """No key to encrypt with, or none that decrypts a stored secret: the server's setup,
    not the request, is at fault."""

    status = 503
    title = "Secrets unavailable"


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64)."""
    return Fernet.generate_key().decode()


def last4(value: str) -> str:
    """What the display form (`…abcd`) shows of a value: its last four characters."""
    return value[-4:] if len(value) >= _DISPLAY_MIN_CHARS else ""


class Vault:
    """`keys` newest first: the first encrypts, every one decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretsUnavailable("no encryption key is configured (SECRET_KEYS is empty)")
        fernets = []
        for index, key in enumerate(keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # `from None`: the underlying message may carry the key's characters.
                raise SecretsUnavailable(
                    f"SECRET_KEYS[{index}] is not a Fernet key (32 url-safe base64-encoded "
                    "bytes); make one with `autoforge secret keygen`"
                ) from None
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)

    def encrypt(self, value: str) -> str:
        return self._all.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode()).decode()
        except InvalidToken:
            raise _undecryptable() from None

    def is_current(self, token: str) -> bool:
        """Whether the newest key alone decrypts `token` (a rotation can leave it be)."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """`token` re-encrypted under the newest key."""
        try:
            return self._all.rotate(token.encode()).decode()
        except InvalidToken:
            raise _undecryptable() from None


def _undecryptable() -> SecretsUnavailable:
    return SecretsUnavailable(
        "a stored secret cannot be decrypted with any key in SECRET_KEYS: the key that "
        "encrypted it was removed before `autoforge secret rotate` moved it to a newer one"
    )
