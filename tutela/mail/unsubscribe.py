"""One-click unsubscribe links on every notice (RFC 8058, RFC 2369).

Clause: changes.subscribe (a person who asked for notice of policy updates
can stop them, from the notice itself, without a login).

Every subscription has a random unsubscribe token, sealed in its row and
found by its digest (`tutela.store.token_digest`); the token is made the
first time a notice to that subscription is sent. `tutela.changes.optin`
ends the subscription when the link is used.
"""

from __future__ import annotations

from email.message import EmailMessage

from tutela.config import Settings
from tutela.store import new_token, token_digest
from tutela.store.models import OutboxMessage, PolicySubscription

UNSUBSCRIBE_PATH = "/unsubscribe/"
ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_token(row: PolicySubscription) -> str:
    """The row's one-click unsubscribe token, made on first use."""
    if row.unsubscribe_token is None:
        token = new_token()
        row.unsubscribe_token, row.unsubscribe_digest = token, token_digest(token)
    return row.unsubscribe_token


def add_unsubscribe(
    message: EmailMessage,
    row: OutboxMessage,
    subscription: PolicySubscription,
    settings: Settings,
) -> None:
    """The one-click unsubscribe headers and the link at the end of the text."""
    url = settings.public_link(UNSUBSCRIBE_PATH + unsubscribe_token(subscription))
    message["List-Unsubscribe"] = (
        f"<{url}>, <mailto:{settings.mail_from}?subject=Unsubscribe>"
    )
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(
        (row.body or "").rstrip("\n") + f"\n\n--\nTo stop these notices, open: {url}\n"
    )
