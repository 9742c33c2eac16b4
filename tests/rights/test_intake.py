"""Intake: every message to the legal address is stored with its route, once."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.rights.conftest import MESSAGES, OnFile, message
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.mail.mailboxes import MAX_MESSAGE_BYTES
from tutela.rights.intake import intake_message, intake_path, parse
from tutela.store.db import Store
from tutela.store.models import PolicySubscription, RightsMessage, SarCase

EXPECTED = {
    "plain.eml": "access_request",
    "extra_spaces.eml": "access_request",
    "reply_prefix.eml": "access_request",
    "fwd_prefix.eml": "access_request",
    "aw_prefix.eml": "access_request",
    "sv_prefix.eml": "access_request",
    "encoded_utf8.eml": "access_request",
    "encoded_latin1.eml": "access_request",
    "html_only.eml": "access_request",
    "multipart_alternative.eml": "access_request",
    "policy_updates.eml": "policy_updates",
    "general_question.eml": "general",
    "spoofed_dmarc_fail.eml": "access_request",
    "lookalike_domain.eml": "access_request",
    "reply_to_elsewhere.eml": "access_request",
    "thread_reply.eml": "general",
}


def test_every_sample_message_has_an_expected_route() -> None:
    assert sorted(p.name for p in MESSAGES.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.clause("rights.access.request")
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"thread_reply.eml"}))
def test_sample_message_is_routed_by_its_heading(
    store: Store, settings: Settings, name: str
) -> None:
    result = intake_message(store, message(name), settings=settings)
    assert result.route == EXPECTED[name]
    assert (result.case_id is not None) == (EXPECTED[name] == "access_request")


def test_encoded_subjects_are_decoded() -> None:
    assert (
        parse(message("encoded_latin1.eml")).subject
        == "Re: Subject Access Request (José)"
    )
    assert (
        parse(message("encoded_utf8.eml")).subject == "Subject Access Request – Müller"
    )


@pytest.mark.postgresql
@pytest.mark.clause("rights.access.request")
def test_reingesting_the_same_message_id_adds_nothing(
    store: Store, settings: Settings
) -> None:
    first = intake_message(store, message("plain.eml"), settings=settings)
    again = intake_message(store, message("plain.eml"), settings=settings)
    assert again.duplicate and again.case_id == first.case_id
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RightsMessage)) == 1
        assert session.scalar(select(func.count()).select_from(SarCase)) == 1


@pytest.mark.clause("rights.access.request")
def test_a_reply_in_the_thread_joins_the_case(store: Store, settings: Settings) -> None:
    first = intake_message(store, message("plain.eml"), settings=settings)
    reply = intake_message(store, message("thread_reply.eml"), settings=settings)
    assert reply.route == "access_request"
    assert reply.case_id == first.case_id
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(SarCase)) == 1
        # Stored with its case, so it is kept and swept with the case.
        stored = session.scalars(select(RightsMessage.case_id)).all()
        assert stored == [first.case_id, first.case_id]


@pytest.mark.clause("changes.subscribe")
def test_policy_updates_request_is_stored_as_a_subscription(
    store: Store, settings: Settings
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=settings)
    intake_message(store, message("policy_updates.eml"), settings=settings)
    with store.session() as session:
        (sub,) = session.scalars(select(PolicySubscription)).all()
        assert sub.address == "bob@example.org"
        assert sub.verified  # the receiving server's DMARC passed


@pytest.mark.clause("rights.access.request")
def test_raw_messages_are_encrypted_at_rest(store: Store, settings: Settings) -> None:
    intake_message(store, message("plain.eml"), settings=settings)
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT raw FROM rights_messages")).scalar_one()
    assert raw.startswith("v1:")
    assert "personal information" not in raw


def test_oversized_message_is_refused_with_a_clear_error(
    store: Store, settings: Settings
) -> None:
    big = message("plain.eml") + b"x" * (MAX_MESSAGE_BYTES + 1)
    with pytest.raises(InvalidInput, match="over the 10485760-byte limit"):
        intake_message(store, big, settings=settings)


def _mailboxes(tmp_path: Path) -> tuple[Path, Path]:
    mbox_path, maildir_path = tmp_path / "legal.mbox", tmp_path / "Maildir"
    mbox = mailbox.mbox(mbox_path)
    maildir = mailbox.Maildir(maildir_path)
    for path in sorted(MESSAGES.glob("*.eml")):
        mbox.add(path.read_bytes())
        maildir.add(path.read_bytes())
    mbox.close()
    return mbox_path, maildir_path


@pytest.mark.clause("rights.access.request")
def test_mbox_and_maildir_store_every_message_once(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    mbox_path, maildir_path = _mailboxes(tmp_path)
    first = intake_path(store, mbox_path, settings=settings)
    assert len(first.results) == len(EXPECTED) and not first.rejected
    second = intake_path(store, maildir_path, settings=settings)
    assert all(r.duplicate for r in second.results)
    routes = {r.route for r in first.results}
    assert routes == {"access_request", "policy_updates", "general"}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RightsMessage)) == len(
            EXPECTED
        )


@pytest.mark.clause("rights.access.request")
def test_cli_intake_json_lists_one_object_per_message(
    settings: Settings, tmp_path: Path, ann: OnFile
) -> None:
    mbox_path, _ = _mailboxes(tmp_path)
    env = {"TUTELA_DATA": str(settings.data)}
    if settings.database_url:
        env["TUTELA_DATABASE_URL"] = settings.database_url
    result = CliRunner().invoke(
        app, ["sar", "intake", str(mbox_path), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True
    assert len(doc["messages"]) == len(EXPECTED)
    for item in doc["messages"]:
        assert set(item) >= {"message_id", "route", "case_id"}
        assert item["route"] in ("access_request", "policy_updates", "general")
        assert (item["case_id"] is None) == (item["route"] != "access_request")
