"""Staff alerts: each privacy officer hears of a new case once, of a due case once a day.

Clause: rights.access (requests are answered within the legal deadline).
The alert goes through the outbox and a real SMTP server (aiosmtpd), names
the case by reference only, and a re-run sends nothing new.
"""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from tests.factories import store_env
from tests.rights.conftest import OnFile, Sink, message
from tutela.auth.signin import add_user
from tutela.auth.user_admin import disable_user
from tutela.cli import app
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights.alerts import send_alerts
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.store.db import Store

pytestmark = pytest.mark.clause("rights.access")

OFFICERS = ("po1@staff.test", "po2@staff.test")


def officers(store: Store) -> None:
    for email in OFFICERS:
        add_user(store, email=email, role="privacy_officer", password="x" * 16 + "Aa1!")
    add_user(store, email="support@staff.test", role="support_agent")


def alerts_to(sink: Sink, address: str) -> list[str]:
    return [
        str(m["Subject"])
        for m in sink.to(address)
        if "access request" in str(m["Subject"]).lower()
    ]


def test_a_new_case_is_announced_once_to_every_active_officer(
    store: Store, mail_settings: Settings, sink: Sink, ann: OnFile
) -> None:
    officers(store)
    disable_user(store, email=OFFICERS[1])
    case_id = intake_message(
        store, message("plain.eml"), settings=mail_settings
    ).case_id
    assert case_id is not None
    ref = show_case(store, case_id).ref
    first = send_alerts(store, settings=mail_settings)
    again = send_alerts(store, settings=mail_settings)
    deliver(store, mail_settings)
    assert (first.new, again.new, first.officers) == (1, 0, 1)
    assert alerts_to(sink, OFFICERS[0]) == [f"New access request {ref}"]
    assert (
        alerts_to(sink, OFFICERS[1]) == []
        and alerts_to(sink, "support@staff.test") == []
    )
    (mail,) = [m for m in sink.to(OFFICERS[0])]
    body = mail.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert f"/console/sar/{case_id}" in text
    assert ann.email not in text and "Ann" not in text
    assert any(e.note == "alerted_new" for e in show_case(store, case_id).events)


def test_a_due_case_is_announced_once_a_day(
    store: Store, mail_settings: Settings, sink: Sink, ann: OnFile
) -> None:
    officers(store)
    case_id = intake_message(
        store, message("plain.eml"), settings=mail_settings
    ).case_id
    assert case_id is not None
    due = show_case(store, case_id).due
    day_one = due - dt.timedelta(days=3)
    counts = [
        send_alerts(store, settings=mail_settings, now=day_one).due,
        send_alerts(
            store, settings=mail_settings, now=day_one + dt.timedelta(hours=1)
        ).due,
        send_alerts(
            store, settings=mail_settings, now=day_one + dt.timedelta(days=1)
        ).due,
    ]
    assert counts == [1, 0, 1]
    deliver(store, mail_settings)
    subjects = alerts_to(sink, OFFICERS[0])
    assert len([s for s in subjects if "due soon" in s]) == 2


def test_without_an_officer_nothing_is_sent_and_the_alert_waits(
    store: Store, mail_settings: Settings, ann: OnFile
) -> None:
    case_id = intake_message(
        store, message("plain.eml"), settings=mail_settings
    ).case_id
    assert case_id is not None
    assert send_alerts(store, settings=mail_settings).new == 0
    officers(store)
    assert send_alerts(store, settings=mail_settings).new == 1


def test_the_alerts_command_reports_one_json_document(
    store: Store, mail_settings: Settings, sink: Sink, ann: OnFile
) -> None:
    officers(store)
    intake_message(store, message("plain.eml"), settings=mail_settings)
    env = store_env(mail_settings) | {
        "TUTELA_SMTP_HOST": "127.0.0.1",
        "TUTELA_SMTP_PORT": str(sink.port),
    }
    result = CliRunner().invoke(app, ["sar", "alerts", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert '"new": 1' in result.stdout and '"officers": 2' in result.stdout
    assert alerts_to(sink, OFFICERS[1])
