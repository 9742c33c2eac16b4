"""The one stored form of an e-mail address.

Clauses: collect.requested (a business contact's e-mail address is stored in
one form), rights.access.request (a requester is matched to the people on
file by address), secure.measures (a sign-in is matched to its user by
address). Every package that stores or compares an address uses this form,
so it lives with the store, below all of them.

Whether text is an address at all is email-validator's syntax check (RFC
5321/5322 and internationalised addresses, no DNS lookup): one @, a local
part of at most 64 characters without unquoted specials or two dots in a
row, a domain with a dot under a real top-level domain. A refusal says
which rule failed, never the address or any character of it.
"""

from __future__ import annotations

import re
import unicodedata

from tutela.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Where email-validator's reason starts quoting the input (": 'x'", "(...)").
_QUOTED = re.compile(r": | \(")


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
    if not address or len(address) > 254 or _CONTROL.search(address):
        raise InvalidInput("is not an e-mail address", field=field)
    problem = _syntax_problem(address)
    if problem is not None:
        raise InvalidInput(f"is not an e-mail address: {problem}", field=field)
    return address


def _syntax_problem(address: str) -> str | None:
    """Why `address` is no e-mail address (email-validator's rule), or None."""
    # Imported here: its tables take a noticeable part of a command's start-up.
    from email_validator import EmailNotValidError, validate_email

    try:
        # No DNS (an address is checked, not delivered to); strict: a local
        # part of at most 64 characters (RFC 5321), as before. The reserved
        # ".test" domain (RFC 6761) is accepted: it is what test and demo
        # data use, and no mail to it leaves a relay.
        validate_email(
            address, check_deliverability=False, test_environment=True, strict=True
        )
    except EmailNotValidError as refused:
        reason = _QUOTED.split(str(refused), maxsplit=1)[0].rstrip(" .")
        return reason[:1].lower() + reason[1:]
    return None
