"""Client secrets encrypted at rest (Fernet, from the well-kept `cryptography` package).

The key is LMS_SSO_SECRET_KEY (a Fernet key: `python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`). Without it, a key is derived from the site's SECRET_KEY, so the
demo works with no setup; an installation should set its own, kept apart from the database backups.
LMS_SSO_OLD_SECRET_KEYS (comma-separated) still decrypts secrets saved under earlier keys while they are
re-entered.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class SecretUnreadable(RuntimeError):
    """A stored secret that none of the configured keys opens: the key was changed without keeping the old one."""


def _derived_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"safer-learning sso client secret").derive(
        secret_key.encode())
    return base64.urlsafe_b64encode(derived)


def _box() -> MultiFernet:
    config = current_app.config
    primary = config.get("SSO_SECRET_KEY") or _derived_key(config["SECRET_KEY"])
    older = [key.strip() for key in str(config.get("SSO_OLD_SECRET_KEYS", "")).split(",") if key.strip()]
    return MultiFernet([Fernet(primary), *(Fernet(key) for key in older)])


def seal(secret: str) -> str:
    """The secret, encrypted for storing."""
    return _box().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """A stored secret, decrypted; SecretUnreadable if no configured key opens it."""
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("The client secret cannot be decrypted with the configured LMS_SSO_SECRET_KEY") from error
