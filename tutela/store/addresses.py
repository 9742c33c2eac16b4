"""The one stored form of an e-mail address.

Clauses: collect.requested (a business contact's e-mail address is stored in
one form), rights.access.request (a requester is matched to the people on
file by address), secure.measures (a sign-in is matched to its user by
address). Every package that stores or compares an address uses this form,
so it lives with the store, below all of them.
"""

from __future__ import annotations

import re
import unicodedata

from tutela.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# One "@", a local part of at most 64 characters, a domain with a dot.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")


def normalize_email(raw: str, *, field: str = "email") -> str:
    """The one form of an e-mail address Tutela stores and compares: NFC, trimmed, lower case.

    Every match on an address (a requester to the people on file, a sign-in
    to its user, a subscriber to a subscription) ignores case, so the stored
    form does too; mailboxes are case-insensitive in practice. InvalidInput
    naming `field`, never the address, when it is not one (at most 254
    characters, a local part of at most 64, a domain with a dot).
    """
    # NFC first: the same address typed on two keyboards compares equal.
    address = (
        unicodedata.normalize("NFC", raw).strip().lower()
        if isinstance(raw, str)
        else ""
    )
    if len(address) > 254 or _CONTROL.search(address) or not _EMAIL.fullmatch(address):
        raise InvalidInput("is not an e-mail address", field=field)
    return address
