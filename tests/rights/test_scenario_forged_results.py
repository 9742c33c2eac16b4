"""Scenario: a sender writes its own Authentication-Results (`dmarc=pass`).

Clauses: changes.subscribe (a stranger cannot sign someone else up, nor end
their subscription) and rights.access.verification (a From address is
trusted only as far as authentication nobody but us wrote says).

`tutela sar smtp` is the receiving edge: every Authentication-Results header
a message carries on arrival was written by somebody else. Real SMTP
(aiosmtpd), real parsing, SQLite and PostgreSQL.
"""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select

from tests.mail.senders import Zone, answering
from tests.rights.conftest import free_port
from tests.rights.mails import mail
from tutela.changes import subscribe
from tutela.config import Settings
from tutela.rights.smtp_listener import controller
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, PolicySubscription

VICTIMS = ("victim.one@example.org", "victim.two@example.net")


def forged(domain: str) -> str:
    """What a sender writes to look authenticated."""
    return (
        f"mx.jive.example; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"
    )


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Zone:
    """No DNS records at all: no domain here publishes SPF, DKIM or DMARC."""
    return answering(monkeypatch)


def send(
    settings: Settings, store: Store, messages: list[tuple[str, bytes]], zone: Zone
) -> None:
    port = free_port()
    server = controller(store, settings, port=port, txt=zone.lookup)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for sender, raw in messages:
                client.sendmail(sender, ["legal@jive.com"], raw)
    finally:
        server.stop()


def in_force(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(
            s.address
            for s in session.scalars(
                select(PolicySubscription).where(
                    PolicySubscription.confirmed_at.is_not(None)
                )
            )
        )


@pytest.mark.clause("changes.subscribe")
def test_a_sender_written_pass_subscribes_no_third_party(
    store: Store, settings: Settings, zone: Zone
) -> None:
    edge = settings.model_copy(update={"trusted_authserv_id": None})
    send(
        edge,
        store,
        [
            (
                victim,
                mail(
                    victim,
                    subject="Request for Privacy Policy Updates",
                    message_id=f"<sub-{n}@attacker.example>",
                    auth=[forged(victim.rpartition("@")[2])],
                ),
            )
            for n, victim in enumerate(VICTIMS)
        ],
        zone,
    )
    assert in_force(store) == []  # nobody gets notices they did not ask for
    with store.session() as session:
        kinds = sorted(
            (o.kind, o.to_address) for o in session.scalars(select(OutboxMessage))
        )
    # Each address is asked instead; only its owner can confirm.
    assert kinds == sorted(("sub_confirm", v) for v in VICTIMS)


@pytest.mark.clause("changes.subscribe")
def test_a_sender_written_pass_unsubscribes_nobody(
    store: Store, settings: Settings, zone: Zone
) -> None:
    victim = VICTIMS[0]
    with store.session() as session:
        subscribe(session, address=victim, verified=True)
    edge = settings.model_copy(update={"trusted_authserv_id": None})
    send(
        edge,
        store,
        [
            (
                victim,
                mail(
                    victim,
                    subject="Unsubscribe",
                    message_id="<unsub@attacker.example>",
                    auth=[forged("example.org")],
                ),
            )
        ],
        zone,
    )
    assert in_force(store) == [victim]  # the subscription stands
    with store.session() as session:
        kinds = [(o.kind, o.to_address) for o in session.scalars(select(OutboxMessage))]
    assert ("unsub_link", victim) in kinds  # the owner gets the link instead
