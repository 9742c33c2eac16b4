"""Mail a customer the link to choose a password only they know.

Clause: rights.access.verification. A sign-in verifies a request only with
a password the user chose behind a single-use link mailed to their sign-in
address (`tutela.auth.credentials`): possession of that mailbox, which the
staff member who set or saw an earlier password does not have. This module
mails the link, within the address's mail limits (`tutela.mail.limits`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tutela.auth import CHOOSE_PATH, send_choose_link
from tutela.config import Settings
from tutela.mail.limits import AddressLimits, check_request
from tutela.mail.outbox import enqueue
from tutela.store import Store

LINK_KIND = "password_choose_link"


def mail_choose_link(
    store: Store, user_id: int, *, settings: Settings, actor: str
) -> None:
    """Mail the user a link to choose their password (`AddressLimited` past limits)."""

    def mail(session: Session, address: str, token: str) -> None:
        check_request(session, address, limits=AddressLimits.of(settings))
        link = settings.public_link(f"{CHOOSE_PATH}/{token}")
        enqueue(
            session,
            kind=LINK_KIND,
            to=address,
            subject="Choose your own password",
            body=(
                "Someone signed in to your account asked for a link to choose "
                "your own password. Open it within an hour to choose one only "
                f"you know:\n\n{link}\n\nIf it was not you, ignore this mail: "
                "nothing changes until the link is used, and tell us."
            ),
            sender=settings.mail_from,
        )

    send_choose_link(store, user_id, actor=actor, mail=mail)


__all__ = ["LINK_KIND", "mail_choose_link"]
