"""Builders for test mail to the legal address, and what the store holds after."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import func, select

from tutela.store.db import Store
from tutela.store.models import OutboxMessage


def mail(
    sender: str,
    *,
    subject: str = "Subject Access Request",
    message_id: str,
    auth: list[str] | None = None,
    body: str = "Please send me my data.",
) -> bytes:
    msg = EmailMessage()
    for header in auth if auth is not None else [pass_auth(sender)]:
        msg["Authentication-Results"] = header
    msg["From"] = sender
    msg["To"] = "legal@jive.com"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return bytes(msg)


def pass_auth(sender: str) -> str:
    """What our MTA (mx.jive.example) writes for mail that passed, from `sender`."""
    domain = sender.rpartition("@")[2]
    return (
        f"mx.jive.example; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"
    )


PASS_AUTH = pass_auth("ann@example.com")


def outbox(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [
            (o.kind, o.to_address)
            for o in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def count(store: Store, model: type[object]) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def nested(depth: int, *, message_id: str = "<deep@example.com>") -> bytes:
    """A message whose MIME parts nest `depth` levels deep."""
    head = (
        "From: ann@example.com\r\nTo: legal@jive.com\r\n"
        f"Subject: Subject Access Request\r\nMessage-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
    ).encode()
    body = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    body += b"Content-Type: text/plain\r\n\r\nhello\r\n"
    body += b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + body
