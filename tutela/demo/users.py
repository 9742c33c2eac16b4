"""Demo sign-in users, so that `make run` has someone to sign in as.

Clauses: secure.measures (no fixed or shared demo password: every run of
`tutela demo` draws fresh random passwords for the demo users, returns them
once for the command to print on stderr, and ends their old sessions;
nothing is logged), collect.service_use.voicemail (each demo customer admin
can delete their account's voice mail from the portal).

Users made (addresses under the reserved `tutela.example` domain):

- `privacy@tutela.example`: privacy officer (console, requests, audit);
- `customer1@tutela.example` ... `customer3@tutela.example`: the admin
  person of the first three demo accounts (portal).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from tutela.auth.passwords import generate_password
from tutela.auth.signin import add_user, list_users
from tutela.auth.signin import set_password as _set_password
from tutela.store import Store
from tutela.store.models import Person

log = logging.getLogger(__name__)

OFFICER = "privacy@tutela.example"
DEMO_ACTOR = "system:demo"


@dataclass(frozen=True)
class DemoLogin:
    """One demo user and the password drawn for it in this run."""

    email: str
    role: str
    password: str = field(repr=False)


def _first_admins(store: Store, count: int) -> list[int]:
    """Person ids of the admin of each of the first `count` accounts."""
    with store.session() as session:
        rows = session.execute(
            select(Person.account_id, Person.id)
            .where(Person.role == "admin")
            .order_by(Person.account_id, Person.id)
        ).all()
    firsts: dict[int, int] = {}
    for account_id, person_id in rows:
        firsts.setdefault(account_id, person_id)
    return [firsts[a] for a in sorted(firsts)[:count]]


def build_demo_users(store: Store, *, customers: int = 3) -> list[DemoLogin]:
    """Create the demo users if missing and give each a fresh random password.

    Returns the sign-ins for the caller to show once (on stderr); running it
    again creates nobody twice and replaces the passwords.
    """
    wanted: list[tuple[str, str, int | None]] = [(OFFICER, "privacy_officer", None)]
    wanted += [
        (f"customer{n}@tutela.example", "customer_admin", person_id)
        for n, person_id in enumerate(_first_admins(store, customers), start=1)
    ]
    existing = {u.email for u in list_users(store)}
    logins = []
    for email, role, person_id in wanted:
        password = generate_password()
        if email in existing:
            _set_password(store, email=email, password=password, actor=DEMO_ACTOR)
        else:
            add_user(
                store,
                email=email,
                role=role,
                person_id=person_id,
                password=password,
                actor=DEMO_ACTOR,
            )
        logins.append(DemoLogin(email, role, password))
    log.info("demo.users count=%d", len(logins))
    return logins


def format_demo_logins(logins: list[DemoLogin]) -> str:
    """The lines `tutela demo` prints on stderr (never to a log)."""
    lines = ["Sign in at /login (passwords are new on every `tutela demo` run):"]
    lines += [f"  {x.email:<28} {x.role:<16} {x.password}" for x in logins]
    lines += [
        "CLI steps that act as staff sign in too, e.g. as the privacy officer:",
        f"  export TUTELA_STAFF={OFFICER}   # the password is asked for",
    ]
    return "\n".join(lines)
