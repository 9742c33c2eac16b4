"""The words Tutela sends to requesters: fixed templates, no data from the store.

Clauses: rights.access.request (acknowledgement), rights.access.verification
(one-time code), rights.access.fee_or_reject (a fee or a rejection states
its reason and the right to complain).

The acknowledgement is word for word the same whether or not the requester
is known, so it cannot be used to learn who is a customer: it holds only
the case reference and says what happens next in general terms. Each
message names what was asked for (`kind`: access, erasure or correction),
which comes from the request itself, never from the store.
"""

from __future__ import annotations

import datetime as dt

# kind -> (the request's name in a subject line, what was asked, in a sentence)
REQUEST_NAMES: dict[str, tuple[str, str]] = {
    "access": ("Subject Access Request", "a copy of the personal information"),
    "erasure": ("Request for Deletion", "the deletion of the personal information"),
    "correction": (
        "Request for Correction",
        "the correction of the personal information",
    ),
}

ACK_SUBJECT = "Your {name} has been received [{ref}]"
ACK_BODY = """\
We have received your request for {asked} we hold about
you. Your case reference is {ref}.

Before we process a request we verify the identity of the person it
concerns. If we hold personal information linked to the address this
request came from, we will send a one-time code to the e-mail address we
have on file. We never send codes or personal information to an address
given in a request, in a Reply-To header or to any new address.

If you do not receive a code, or have no account with us, reply to this
message: we will explain the other ways to verify your identity.

We will respond within the period the law that applies to you allows.
"""

FORM_ACK = ACK_BODY.replace("{asked}", REQUEST_NAMES["access"][1])

INBOX_ACK_SUBJECT = "Your message to Jive's legal team has been received"
INBOX_ACK_BODY = """\
We have received your message to the legal address. A member of our legal
team reads every message and will answer if an answer is needed.

If you asked for a copy of the personal information we hold about you, we
treat your message as a subject access request from the day it reached us,
whatever its heading, and will write to you about verifying your identity.
Next time, the heading "Subject Access Request" lets us start at once.

To receive notice of changes to our privacy policy, write to this address
under the heading "Request for Privacy Policy Updates".
"""


def inbox_acknowledgement() -> tuple[str, str]:
    """The same words for every message to the legal inbox (nothing about the sender)."""
    return INBOX_ACK_SUBJECT, INBOX_ACK_BODY


def _names(kind: str) -> tuple[str, str]:
    return REQUEST_NAMES.get(kind, REQUEST_NAMES["access"])


def acknowledgement(ref: str, *, kind: str = "access") -> tuple[str, str]:
    name, asked = _names(kind)
    return (
        ACK_SUBJECT.format(name=name, ref=ref),
        ACK_BODY.format(asked=asked, ref=ref),
    )


def code_message(
    ref: str, code: str, ttl: dt.timedelta, *, kind: str = "access"
) -> tuple[str, str]:
    minutes = int(ttl.total_seconds() // 60)
    name, asked = _names(kind)
    return (
        f"Verification code for your {name} [{ref}]",
        f"Someone asked for {asked} we hold about you "
        f"(case {ref}).\n\nIf it was you, give this one-time code to confirm: "
        f"{code}\n\nIt is valid for {minutes} minutes and can be used once. If it "
        f"was not you, ignore this message; {_UNLESS_CONFIRMED.get(kind, 'nothing will be released')}.\n",
    )


# What does not happen without the code, in the words of each kind.
_UNLESS_CONFIRMED = {
    "access": "nothing will be released",
    "erasure": "nothing will be deleted",
    "correction": "nothing will be changed",
}


def fee_message(
    ref: str, amount: str, reason: str, complaint: str, *, kind: str = "access"
) -> tuple[str, str]:
    return (
        f"Fee for your {_names(kind)[0]} [{ref}]",
        f"Before we fulfil request {ref} we ask a fee of {amount}.\n"
        f"Reason: {reason.replace('_', ' ')}.\n\n{complaint}\n",
    )


def rejection_message(
    ref: str, reason: str, complaint: str, *, kind: str = "access"
) -> tuple[str, str]:
    return (
        f"Decision on your {_names(kind)[0]} [{ref}]",
        f"We cannot fulfil request {ref}.\nReason: {reason.replace('_', ' ')}.\n\n"
        f"{complaint}\n",
    )


def extension_message(
    ref: str,
    until: dt.datetime,
    reason: str,
    complaint: str,
    *,
    kind: str = "access",
) -> tuple[str, str]:
    return (
        f"More time needed for your {_names(kind)[0]} [{ref}]",
        f"We need more time to answer request {ref}. We will respond by "
        f"{until:%Y-%m-%d}.\nReason: {reason}\n\n{complaint}\n",
    )
