"""Sign-in: argon2id hashes, lockout, session expiry and revocation, CSRF, API tokens."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.factories import store_env
from tutela.access.roles import Role
from tutela.audit import audit_log
from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    LockedOut,
    add_user,
    check_csrf,
    csrf_token,
    end_session,
    issue_api_token,
    reauthenticate,
    resolve_api_token,
    resolve_session,
    sign_in,
)
from tutela.auth.user_admin import disable_user
from tutela.cli.app import app as cli_app
from tutela.collect.accounts.contacts import add_person, open_account
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput
from tutela.store.db import Store
from tutela.store.models import ApiToken, AuditEntry, User, UserSession

pytestmark = pytest.mark.clause("secure.measures")

PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
RULES = AuthSettings()


def _customer(store: Store, email: str = "admin@acme.test") -> int:
    with store.session() as s:
        acme = open_account(s, organization="Acme Test Dental", ref="ACME")
        person = add_person(s, account=acme, role="admin", name="Ada Admin-Test")
        person_id = person.id
    add_user(
        store,
        email=email,
        role="customer_admin",
        person_id=person_id,
        password=PASSWORD,
    )
    return person_id


def test_passwords_are_kept_only_as_argon2id_hashes(store: Store) -> None:
    add_user(store, email="PO@Staff.Test ", role="privacy_officer", password=PASSWORD)
    with store.session() as s:
        user = s.scalars(select(User)).one()
        assert user.email == "po@staff.test"
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_short_passwords_unknown_roles_and_duplicates_are_refused(
    store: Store,
) -> None:
    with pytest.raises(InvalidInput, match="12 characters"):
        add_user(store, email="a@staff.test", role="billing", password="short")
    with pytest.raises(InvalidInput, match="must be one of"):
        add_user(store, email="a@staff.test", role="system", password=PASSWORD)
    with pytest.raises(InvalidInput, match="needs --person"):
        add_user(store, email="a@staff.test", role="end_user", password=PASSWORD)
    add_user(store, email="a@staff.test", role="billing", password=PASSWORD)
    with pytest.raises(Conflict):
        add_user(store, email="A@staff.test", role="billing", password=PASSWORD)


def test_a_customer_user_acts_for_its_own_person_and_account(store: Store) -> None:
    person_id = _customer(store)
    issued = sign_in(store, email="admin@acme.test", password=PASSWORD)
    actor = issued.principal.actor
    assert (actor.id, actor.role) == (f"user:{person_id}", Role.customer_admin)
    assert actor.account_id is not None and actor.person_id == person_id


def test_wrong_password_and_unknown_address_get_the_same_answer(
    store: Store,
) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    with pytest.raises(AuthenticationFailed) as wrong:
        sign_in(store, email="po@staff.test", password="not the password")
    with pytest.raises(AuthenticationFailed) as unknown:
        sign_in(store, email="nobody@staff.test", password="not the password")
    assert (wrong.value.message, wrong.value.status) == (
        unknown.value.message,
        unknown.value.status,
    )
    assert "@" not in wrong.value.message


@pytest.mark.postgresql
def test_failures_lock_an_address_until_the_window_passes(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    for n in range(RULES.max_failures):
        with pytest.raises(AuthenticationFailed):
            sign_in(
                store,
                email="po@staff.test",
                password="wrong",
                now=T0 + dt.timedelta(seconds=n),
            )
    with pytest.raises(LockedOut):
        sign_in(
            store,
            email="po@staff.test",
            password=PASSWORD,
            now=T0 + dt.timedelta(seconds=10),
        )
    later = T0 + RULES.lockout + dt.timedelta(seconds=RULES.max_failures + 1)
    assert sign_in(store, email="po@staff.test", password=PASSWORD, now=later).token


def test_unknown_addresses_are_locked_out_like_known_ones(store: Store) -> None:
    for n in range(RULES.max_failures):
        with pytest.raises(AuthenticationFailed) as failed:
            sign_in(
                store,
                email="nobody@staff.test",
                password="wrong",
                now=T0 + dt.timedelta(seconds=n),
            )
        assert not isinstance(failed.value, LockedOut)
    with pytest.raises(LockedOut):
        sign_in(
            store,
            email="nobody@staff.test",
            password="wrong",
            now=T0 + dt.timedelta(seconds=30),
        )


def test_a_success_resets_the_failure_count(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    at = T0
    for _ in range(2):
        for _ in range(RULES.max_failures - 1):
            at += dt.timedelta(seconds=1)
            with pytest.raises(AuthenticationFailed):
                sign_in(store, email="po@staff.test", password="wrong", now=at)
        at += dt.timedelta(seconds=1)
        sign_in(store, email="po@staff.test", password=PASSWORD, now=at)


@pytest.mark.postgresql
def test_sessions_end_at_their_lifetime_and_when_idle(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    issued = sign_in(store, email="po@staff.test", password=PASSWORD, now=T0)
    token = issued.token
    step = RULES.idle_timeout - dt.timedelta(minutes=1)
    at = T0
    while at + step < T0 + RULES.session_ttl:
        at += step
        assert resolve_session(store, token, now=at) is not None
    assert resolve_session(store, token, now=T0 + RULES.session_ttl) is None
    idle = sign_in(store, email="po@staff.test", password=PASSWORD, now=T0)
    late = T0 + RULES.idle_timeout + dt.timedelta(seconds=1)
    assert resolve_session(store, idle.token, now=late) is None


def test_sign_out_and_disabling_revoke_sessions_on_the_server(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    first = sign_in(store, email="po@staff.test", password=PASSWORD)
    second = sign_in(store, email="po@staff.test", password=PASSWORD)
    assert end_session(store, first.token) is True
    assert resolve_session(store, first.token) is None
    assert resolve_session(store, second.token) is not None
    # Never the last officer who can sign in: a second one first.
    add_user(store, email="po2@staff.test", role="privacy_officer", password=PASSWORD)
    disable_user(store, email="po@staff.test")
    assert resolve_session(store, second.token) is None
    with pytest.raises(AuthenticationFailed):
        sign_in(store, email="po@staff.test", password=PASSWORD)


def test_session_tokens_are_stored_as_digests(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    issued = sign_in(store, email="po@staff.test", password=PASSWORD)
    with store.session() as s:
        row = s.scalars(select(UserSession)).one()
        assert row.token_hash != issued.token and len(row.token_hash) == 64
    assert issued.token not in repr(issued)


def test_csrf_token_from_another_session_or_none_is_refused(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    mine = sign_in(store, email="po@staff.test", password=PASSWORD).token
    other = sign_in(store, email="po@staff.test", password=PASSWORD).token
    check_csrf(mine, csrf_token(mine))
    for given in (None, "", csrf_token(other), mine):
        with pytest.raises(Forbidden):
            check_csrf(mine, given)
    with pytest.raises(Forbidden):
        check_csrf(None, csrf_token(mine))


def test_api_token_is_shown_once_and_kept_only_as_a_digest(
    store: Store, settings: Settings
) -> None:
    _customer(store)
    token = issue_api_token(store, email="admin@acme.test")
    principal = resolve_api_token(store, token)
    assert principal is not None and principal.role is Role.customer_admin
    assert resolve_api_token(store, token + "x") is None
    with store.session() as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash != token and token not in row.token_hash
    if store.engine.dialect.name == "sqlite":
        store.engine.dispose()  # flush the WAL into the file before reading it
        files = [settings.sqlite_path, *settings.data.glob("tutela.db-*")]
        raw = b"".join(p.read_bytes() for p in files if p.exists())
        assert token.encode() not in raw
        assert PASSWORD.encode() not in raw


def test_api_tokens_name_their_user_and_expire(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    # A staff token signs the CLI in (TUTELA_STAFF_TOKEN) as that staff member.
    staff = resolve_api_token(store, issue_api_token(store, email="po@staff.test"))
    assert staff is not None and staff.is_staff and staff.role is Role.privacy_officer
    _customer(store)
    token = issue_api_token(store, email="admin@acme.test", now=T0)
    assert resolve_api_token(store, token, now=T0 + RULES.api_token_ttl) is None
    add_user(store, email="po2@staff.test", role="privacy_officer", password=PASSWORD)
    disable_user(store, email="po@staff.test")
    with pytest.raises(InvalidInput, match="disabled"):
        issue_api_token(store, email="po@staff.test")


@pytest.mark.clause("rights.access.verification")
def test_reauthentication_stamps_the_session(store: Store) -> None:
    _customer(store)
    issued = sign_in(store, email="admin@acme.test", password=PASSWORD, now=T0)
    assert issued.principal.reauthenticated_at == T0
    later = T0 + dt.timedelta(minutes=20)
    with pytest.raises(AuthenticationFailed):
        reauthenticate(store, issued.token, password="wrong", now=later)
    fresh = reauthenticate(store, issued.token, password=PASSWORD, now=later)
    assert fresh.reauthenticated_at == later
    resolved = resolve_session(store, issued.token, now=later)
    assert resolved is not None and resolved.reauthenticated_at == later


def test_sign_ins_and_failures_are_audited_without_addresses(store: Store) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    sign_in(store, email="po@staff.test", password=PASSWORD)
    with pytest.raises(AuthenticationFailed):
        sign_in(store, email="po@staff.test", password="wrong")
    with store.session() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    actions = [e.action for e in entries]
    assert {"auth.user_added", "auth.sign_in", "auth.sign_in_failed"} <= set(actions)
    assert all("@" not in e.details and "staff.test" not in e.details for e in entries)
    assert audit_log(store).verify().ok


def test_users_cli_adds_lists_and_issues_tokens_without_printing_hashes(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    no_staff: dict[str, str | None] = {
        "TUTELA_STAFF": None,
        "TUTELA_STAFF_PASSWORD": None,
        "TUTELA_STAFF_TOKEN": None,
    }
    # The first privacy officer of a new deployment needs no sign-in ...
    added = runner.invoke(
        cli_app,
        ["users", "add", "--email", "po@staff.test", "--role", "privacy_officer"]
        + ["--password-stdin", "--data", str(data), "--json"],
        input=PASSWORD + "\n",
        env=no_staff,
    )
    assert added.exit_code == 0, added.output
    assert "password" not in json.loads(added.stdout)
    # ... everyone after is added by a signed-in privacy officer.
    anonymous = runner.invoke(
        cli_app,
        ["users", "add", "--email", "au@staff.test", "--role", "auditor"]
        + ["--data", str(data), "--json"],
        env=no_staff,
    )
    assert isinstance(anonymous.exception, AuthenticationFailed)
    officer = {"TUTELA_STAFF": "po@staff.test", "TUTELA_STAFF_PASSWORD": PASSWORD}
    generated = runner.invoke(
        cli_app,
        ["users", "add", "--email", "au@staff.test", "--role", "auditor"]
        + ["--data", str(data), "--json"],
        env=officer,
    )
    assert generated.exit_code == 0, generated.output
    secret = json.loads(generated.stdout)["password"]
    listed = runner.invoke(
        cli_app, ["users", "list", "--data", str(data), "--json"], env=officer
    )
    assert listed.exit_code == 0
    payload = json.loads(listed.stdout)
    assert payload["count"] == 2
    assert {u["role"] for u in payload["data"]} == {"privacy_officer", "auditor"}
    assert "argon2" not in listed.stdout and secret not in listed.stdout
    assert all("password_hash" not in u for u in payload["data"])
    # The auditor may not list users, nor issue a token for someone else ...
    auditor = {"TUTELA_STAFF": "au@staff.test", "TUTELA_STAFF_PASSWORD": secret}
    for command in (
        ["users", "list"],
        ["users", "token", "--email", "po@staff.test"],
    ):
        refused = runner.invoke(cli_app, [*command, "--data", str(data)], env=auditor)
        assert isinstance(refused.exception, Forbidden), refused.output
        assert refused.stdout == ""
    # ... but may have a token of their own, which then signs the CLI in.
    token = runner.invoke(
        cli_app,
        ["users", "token", "--email", "au@staff.test", "--data", str(data)],
        env=auditor,
    )
    assert token.exit_code == 0, token.output
    issued = token.stdout.strip()
    assert issued.startswith("tut_")
    by_token = runner.invoke(
        cli_app,
        ["users", "token", "--email", "au@staff.test", "--revoke", "--data", str(data)],
        env={**no_staff, "TUTELA_STAFF_TOKEN": issued},
    )
    assert by_token.exit_code == 0, by_token.output
    assert "1 token(s) revoked" in by_token.stdout
    bad = runner.invoke(
        cli_app,
        ["users", "add", "--email", "x@staff.test", "--role", "wizard"]
        + ["--data", str(data)],
        env=officer,
    )
    assert isinstance(bad.exception, InvalidInput)


def test_the_cli_disables_neither_oneself_nor_the_last_officer(
    store: Store, settings: Settings
) -> None:
    # The console's lock-out rules hold on the command line too.
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    add_user(store, email="au@staff.test", role="auditor", password=PASSWORD)
    runner = CliRunner()
    officer: dict[str, str | None] = {
        **store_env(settings),
        "TUTELA_STAFF": "po@staff.test",
        "TUTELA_STAFF_PASSWORD": PASSWORD,
        "TUTELA_STAFF_TOKEN": None,
    }

    def disable(email: str) -> tuple[int, object]:
        done = runner.invoke(
            cli_app, ["users", "disable", "--email", email], env=officer
        )
        return done.exit_code, done.exception

    code, refused = disable("po@staff.test")
    assert code != 0 and isinstance(refused, Conflict)
    assert "yourself" in refused.message
    code, unknown = disable("nobody@staff.test")
    assert code != 0 and "no user" in getattr(unknown, "message", "")
    assert disable("au@staff.test") == (0, None)
    with store.session() as session:
        disabled = {
            u.email: u.disabled_at is not None for u in session.scalars(select(User))
        }
    assert disabled == {"po@staff.test": False, "au@staff.test": True}
