"""Confirmation mail per address: limited everywhere, the same answer for everyone.

Clause: changes.subscribe. The limit is kept in the database
(`tutela.mail.limits`), so it holds across app instances; the refusal is a
429 with Retry-After that says nothing about the address. Real aiosmtpd,
the app through its ASGI interface, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.changes.test_subscriptions_optin import link_in, subscription
from tests.rights.conftest import Sink
from tests.rights.mails import mail
from tests.web.live import app_client
from tutela.changes import subscribe
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import RightsMessage

SUBSCRIBED = "bob@example.org"
UNKNOWN = "nobody@example.net"


@pytest.mark.clause("changes.subscribe")
def test_the_answers_are_the_same_for_a_subscribed_and_an_unknown_address(
    store: Store, mail_settings: Settings
) -> None:
    with store.session() as session:
        subscribe(session, address=SUBSCRIBED, verified=True)
    answers: dict[str, list[tuple[int, str, str | None]]] = {}
    with app_client(mail_settings) as client:
        for address in (SUBSCRIBED, UNKNOWN):
            answers[address] = [
                (r.status_code, r.text, r.headers.get("retry-after"))
                for r in (
                    client.post("/api/subscriptions", json={"email": address})
                    for _ in range(4)
                )
            ]
            page = client.post("/policy/subscribe", data={"email": address})
            answers[address].append((page.status_code, page.text, None))
    assert answers[SUBSCRIBED] == answers[UNKNOWN]
    statuses = [status for status, _, _ in answers[UNKNOWN]]
    assert statuses == [202, 202, 202, 429, 429]
    refused = answers[UNKNOWN][3]
    assert refused[2] is not None and int(refused[2]) > 0
    assert "too many requests for mail to this address" in refused[1]
    assert UNKNOWN not in refused[1]


@pytest.mark.clause("changes.subscribe")
def test_two_app_instances_on_one_database_share_the_limit(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    victim = "victim@example.org"
    with app_client(mail_settings) as first, app_client(mail_settings) as second:
        statuses = [
            client.post("/api/subscriptions", json={"email": victim}).status_code
            for client in (first, second, first, second, first, second)
        ]
    assert statuses == [202, 202, 202, 429, 429, 429]
    deliver(store, mail_settings)
    assert len(sink.to(victim)) == 3


@pytest.mark.clause("changes.subscribe")
def test_unauthenticated_requests_by_mail_are_confirmed_and_limited_too(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    dana = "dana@example.org"
    for n in range(5):
        intake_message(
            store,
            mail(
                dana,
                subject="Request for Privacy Policy Updates",
                message_id=f"<upd-{n}@example.org>",
                auth=[],  # nobody we trust authenticated it
            ),
            settings=mail_settings,
        )
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(RightsMessage))
    assert stored == 5  # every request is kept
    found = subscription(store, dana)
    assert found is not None and found.confirmed_at is None  # not in force yet
    deliver(store, mail_settings)
    assert len(sink.to(dana)) == 3  # then the address's limit
    with app_client(mail_settings) as client:
        assert client.post("/" + link_in(sink, dana)).status_code == 200
    confirmed = subscription(store, dana)
    assert confirmed is not None and confirmed.confirmed_at is not None
