"""Telling a known address from an unknown one by when the answer comes.

No clock here (the machine is shared): each test proves the structure that
makes the timing equal. The answer (SMTP reply, web response, the
acknowledgement mail) comes after the same statements for a known and an
unknown address, and before anyone is looked up. `bench/bench_intake_timing.py`
measures the medians.
"""

from __future__ import annotations

import re
import smtplib
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.rights.conftest import OnFile, free_port
from tests.rights.mails import mail, outbox
from tutela.config import Settings
from tutela.rights.cases import list_cases
from tutela.rights.intake import receive
from tutela.rights.requests import receive_request
from tutela.rights.smtp_listener import FollowUps, controller
from tutela.store.db import Store
from tutela.web.app import create_app

Scope = MutableMapping[str, Any]
PEOPLE = re.compile(r"\bFROM people\b", re.IGNORECASE)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs, in order, without its parameters."""
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(Engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", on_execute)


@pytest.mark.clause("rights.access.verification")
def test_the_answer_to_a_mail_takes_the_same_steps_for_known_and_unknown(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    with statements() as known:
        for_ann = receive(
            store, mail(ann.email, message_id="<k@example.com>"), settings=settings
        )
    with statements() as unknown:
        for_nobody = receive(
            store,
            mail("nobody@example.net", message_id="<u@example.net>"),
            settings=settings,
        )
    assert known == unknown
    assert not [s for s in known if PEOPLE.search(s)]
    # The acknowledgement is written by this step, the same for both.
    assert outbox(store) == [("sar_ack", ann.email), ("sar_ack", "nobody@example.net")]
    assert for_ann.follow_up is not None and for_nobody.follow_up is not None
    with statements() as after:
        for_ann.follow_up()
        for_nobody.follow_up()
    assert [s for s in after if PEOPLE.search(s)]  # the lookup comes afterwards
    assert [kind for kind, _ in outbox(store)] == ["sar_ack", "sar_ack", "sar_code"]


@pytest.mark.clause("rights.access.verification")
def test_the_answer_to_the_form_takes_the_same_steps_for_known_and_unknown(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    with statements() as known:
        first = receive_request(store, email=ann.email, settings=settings)
    with statements() as unknown:
        second = receive_request(store, email="nobody@example.net", settings=settings)
    assert known == unknown
    assert not [s for s in known if PEOPLE.search(s)]
    assert first.follow_up is not None and second.follow_up is not None


@pytest.mark.clause("rights.access.verification")
def test_the_web_answer_is_sent_before_anyone_is_looked_up(
    settings: Settings, store: Store, ann: OnFile
) -> None:
    app = create_app(settings)
    order: list[str] = []

    async def recorded(scope: Scope, receive: Any, send: Any) -> None:
        async def send_and_note(message: Scope) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                order.append("answered")
            await send(message)

        await app(scope, receive, send_and_note)

    def note(*args: Any) -> None:
        order.append(" ".join(str(args[2]).split()))

    try:
        with TestClient(recorded) as client:
            event.listen(Engine, "before_cursor_execute", note)
            try:
                answer = client.post("/api/sar", json={"email": ann.email})
            finally:
                event.remove(Engine, "before_cursor_execute", note)
        assert answer.status_code == 202
    finally:
        opened = getattr(app.state, "web_store", None)
        if opened is not None:
            opened.close()
    answered = order.index("answered")
    lookups = [i for i, s in enumerate(order) if PEOPLE.search(s)]
    assert lookups and min(lookups) > answered
    assert [kind for kind, _ in outbox(store)] == ["sar_code"]


@pytest.mark.clause("rights.access.verification")
def test_the_smtp_answer_comes_before_anyone_is_looked_up(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    follow_ups = FollowUps()
    held = threading.Event()
    follow_ups.submit(lambda: None if held.wait(60) else None)  # keep the worker busy
    port = free_port()
    server = controller(store, settings, port=port, follow_ups=follow_ups)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            refused = client.sendmail(
                ann.email, ["legal@jive.com"], mail(ann.email, message_id="<s@e.com>")
            )
        assert refused == {}  # 250: stored
        # Answered, acknowledged, and nobody has been looked up yet.
        (view,) = list_cases(store)
        assert view.state == "received" and view.person_count == 0
        assert outbox(store) == [("sar_ack", ann.email)]
    finally:
        held.set()
        follow_ups.drain()
        server.stop()
        follow_ups.close()
    (view,) = list_cases(store)
    assert view.state == "verifying" and view.person_count == 1
    assert outbox(store) == [("sar_ack", ann.email), ("sar_code", ann.email)]
