"""Bearer tokens, stored only as digests.

Clause: secure.measures. Sessions, API tokens, download links and the
subscription links all hand out a random token and keep only its SHA-256,
so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    """A fresh random token (256 bits, URL-safe), after an optional prefix."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) stored for a bearer token.

    Any text can be looked up, even text that is no token ("surrogatepass":
    a lone surrogate from a hostile URL digests instead of raising).
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
