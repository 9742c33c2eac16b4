"""Every route x every role (and anonymous) x other accounts' ids: one table, all checked.

Clauses: use.purposes (a page or endpoint answers only the roles whose work
it is), secure.measures (pages need a session, the API a bearer token, form
posts the session's anti-forgery token; sign-in never redirects off-site),
collect.service_use.voicemail (a customer reaches only their own voice mail:
another account's, or a colleague's, answers 404 like one that does not
exist).

The table is written by hand from the roles' duties, not derived from the
code it checks; a route the app serves that the table does not name fails
the test, so a new route cannot slip in unchecked. Pages answer an
anonymous visitor with a redirect to sign-in (303), the API with 401; a
signed-in user without the role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from tests.tally import tried
from tests.web.live import app_client
from tests.web.portal_world import (
    PASSWORD,
    STAFF_ROLES,
    World,
    build_world,
    sign_in,
)
from tutela.auth.signin import issue_api_token
from tutela.config import Settings
from tutela.store.db import Store
from tutela.web.app import create_app

pytestmark = [pytest.mark.clause("use.purposes"), pytest.mark.clause("secure.measures")]

ANONYMOUS = "anonymous"
ACME_ADMIN = "admin@acme.test"
ACME_USER = "eve@acme.test"
BETA_ADMIN = "admin@beta.test"
STAFF = {role: f"{role}@staff.test" for role in STAFF_ROLES}
CUSTOMERS = (ACME_ADMIN, ACME_USER, BETA_ADMIN)
EVERYONE = (ANONYMOUS, *STAFF.values(), *CUSTOMERS)

# OK: a 2xx, or a 303 that goes on (a form post done, a signed-in user sent
# home from /login); SIGN_IN: a 303 to /login.
OK, SIGN_IN, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = 200, 303, 401, 403, 404


@dataclass(frozen=True)
class Row:
    """One request and the status each principal must get."""

    method: str
    path: str  # the route's template, as the app declares it
    url: Callable[[World], str]
    expect: dict[str, int]
    form: bool = False  # a form post: sent with the principal's CSRF token
    fields: dict[str, str] = field(default_factory=dict)  # more form fields
    json: dict[str, object] | None = None
    last: tuple[str, ...] = field(default=())  # who goes last (it changes state)


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(EVERYONE, status)


def _page(allowed: tuple[str, ...], status: int = OK) -> dict[str, int]:
    """A page: anonymous to sign-in, `allowed` get `status`, the rest 403."""
    table = _all(FORBIDDEN) | {ANONYMOUS: SIGN_IN}
    return table | dict.fromkeys(allowed, status)


def _api(allowed: dict[str, int]) -> dict[str, int]:
    return _all(FORBIDDEN) | {ANONYMOUS: UNAUTHENTICATED} | allowed


def _staff(*roles: str) -> tuple[str, ...]:
    return tuple(STAFF[r] for r in roles)


SIGNED_IN = (*STAFF.values(), *CUSTOMERS)
PUBLIC_PAGES = [
    "/",
    "/policy",
    "/policy.md",
    "/policy/versions",
    "/policy/subscribe",
    "/rights/access",
]
PUBLIC_API = [
    "/api/policy",
    "/api/policy/versions",
    "/api/docs",
    "/healthz",
    "/collect.js",
]
NO_TOKEN = "tdl_" + "A" * 40
NO_VERSION = "no-such-version"
NO_LINK = "B" * 43


def _fixed(path: str) -> Callable[[World], str]:
    def url(world: World) -> str:
        return path

    return url


OFFICER = ("privacy_officer",)
OVERSIGHT = ("privacy_officer", "auditor")
CONSOLE_PAGES = {
    "/console/audit/entries": OVERSIGHT,
    "/console/datamap": OVERSIGHT,
    "/console/ingest": OVERSIGHT,
    "/console/ledger": OVERSIGHT,
    "/console/subscriptions": OFFICER,
    "/console/users": OFFICER,
}
# Case and user actions on ids that do not exist: the officer learns that,
# nobody else learns anything.
CASE_ACTIONS = [
    "assign",
    "decide",
    "extend",
    "release",
    "verify/code",
    "verify/override",
    "verify/override/approve",
    "verify/send-code",
]
# With an empty form these are refused as unusable input (400) before the
# case is looked up; still nothing about the case is revealed.
NEEDS_FIELDS = {"decide", "extend", "verify/override", "verify/override/approve"}
BAD_REQUEST = 400


def _console_rows() -> list[Row]:
    rows = [
        Row("GET", path, _fixed(path), _page(_staff(*roles)))
        for path, roles in CONSOLE_PAGES.items()
    ]
    rows += [
        Row(
            "GET",
            "/console/ingest/{run_id}",
            _fixed("/console/ingest/999999"),
            _page(_staff(*OVERSIGHT), NOT_FOUND),
        ),
        Row(
            "GET",
            "/console/sar/{case_id}",
            _fixed("/console/sar/999999"),
            _page(_staff(*OFFICER), NOT_FOUND),
        ),
        Row(
            "GET",
            "/console/sar/{case_id}/preview",
            _fixed("/console/sar/999999/preview"),
            _page(_staff(*OFFICER), NOT_FOUND),
        ),
    ]
    rows += [
        Row(
            "POST",
            f"/console/sar/{{case_id}}/{action}",
            _fixed(f"/console/sar/999999/{action}"),
            _page(
                _staff(*OFFICER),
                BAD_REQUEST if action in NEEDS_FIELDS else NOT_FOUND,
            ),
            form=True,
        )
        for action in CASE_ACTIONS
    ]
    rows += [
        Row(
            "POST",
            f"/console/users/{{user_id}}/{action}",
            _fixed(f"/console/users/999999/{action}"),
            _page(_staff(*OFFICER), NOT_FOUND),
            form=True,
        )
        for action in ("disable", "reset-password")
    ]
    rows += [
        Row(
            "POST",
            "/console/users/{user_id}/role",
            _fixed("/console/users/999999/role"),
            _page(_staff(*OFFICER), NOT_FOUND),
            form=True,
            fields={"role": "auditor"},
        )
    ]
    rows += [
        Row(
            "POST",
            f"/console/users/proposals/{{proposal_id}}/{action}",
            _fixed(f"/console/users/proposals/999999/{action}"),
            _page(_staff(*OFFICER), NOT_FOUND),
            form=True,
        )
        for action in ("approve", "reject")
    ]
    return rows


def _table() -> list[Row]:
    rows = [Row("GET", p, _fixed(p), _all(OK)) for p in PUBLIC_PAGES + PUBLIC_API]
    rows += [
        # Signed in already: straight on to one's home.
        Row("GET", "/login", lambda w: "/login", _all(OK)),
        Row(
            "GET",
            "/rights/download/{token}",
            lambda w: f"/rights/download/{NO_TOKEN}",
            _all(NOT_FOUND),
        ),
        Row(
            "POST",
            "/rights/download/{token}",
            lambda w: f"/rights/download/{NO_TOKEN}",
            _all(NOT_FOUND),
        ),
        # Unknown versions and subscription links: nobody learns more than that.
        *[
            Row("GET", path, _fixed(url), _all(NOT_FOUND))
            for path, url in (
                ("/policy/versions/{version}", f"/policy/versions/{NO_VERSION}"),
                (
                    "/policy/versions/{version}.yaml",
                    f"/policy/versions/{NO_VERSION}.yaml",
                ),
                ("/unsubscribe/{token}", f"/unsubscribe/{NO_LINK}"),
            )
        ],
        # A notice's links: the page only shows a button and spends nothing; an
        # unknown link is refused as such, whoever posts it.
        *[
            Row("GET", path, _fixed(url), _all(OK))
            for path, url in (
                ("/rights/erasure/stop/{token}", f"/rights/erasure/stop/{NO_LINK}"),
                (
                    "/rights/contact/confirm/{token}",
                    f"/rights/contact/confirm/{NO_LINK}",
                ),
            )
        ],
        *[
            Row("POST", path, _fixed(url), _all(NOT_FOUND))
            for path, url in (
                ("/rights/erasure/stop/{token}", f"/rights/erasure/stop/{NO_LINK}"),
                (
                    "/rights/contact/confirm/{token}",
                    f"/rights/contact/confirm/{NO_LINK}",
                ),
            )
        ],
        # The confirmation page only shows a button: it spends nothing.
        Row(
            "GET",
            "/subscribe/confirm/{token}",
            _fixed(f"/subscribe/confirm/{NO_LINK}"),
            _all(OK),
        ),
        *[
            Row("POST", path, _fixed(url), _all(NOT_FOUND))
            for path, url in (
                ("/subscribe/confirm/{token}", f"/subscribe/confirm/{NO_LINK}"),
                ("/unsubscribe/{token}", f"/unsubscribe/{NO_LINK}"),
            )
        ],
        Row("GET", "/console", lambda w: "/console", _page(_staff(*STAFF_ROLES))),
        Row(
            "GET",
            "/console/sar",
            lambda w: "/console/sar",
            _page(_staff("privacy_officer")),
        ),
        Row(
            "GET",
            "/console/audit",
            lambda w: "/console/audit",
            _page(_staff("privacy_officer", "auditor")),
        ),
        Row(
            "GET",
            "/console/web",
            lambda w: "/console/web",
            _page(_staff("privacy_officer", "engineering")),
        ),
        Row(
            "GET",
            "/api/web/report",
            lambda w: "/api/web/report",
            _api(dict.fromkeys(_staff("privacy_officer", "engineering"), OK)),
        ),
        Row(
            "GET",
            "/console/inbox",
            lambda w: "/console/inbox",
            _page(_staff("privacy_officer")),
        ),
        # No such message: the officer learns that, nobody else learns anything.
        Row(
            "GET",
            "/console/inbox/{message_id}",
            lambda w: "/console/inbox/999999",
            _page(_staff("privacy_officer"), NOT_FOUND),
        ),
        Row(
            "POST",
            "/console/inbox/{message_id}/route",
            lambda w: "/console/inbox/999999/route",
            _page(_staff("privacy_officer"), NOT_FOUND),
            form=True,
            fields={"to": "general"},
        ),
        *_console_rows(),
        Row("GET", "/portal", lambda w: "/portal", _page(CUSTOMERS)),
        Row("GET", "/portal/password", _fixed("/portal/password"), _page(CUSTOMERS)),
        # Mails the signed-in customer a link to choose their own password.
        Row(
            "POST",
            "/portal/password/link",
            _fixed("/portal/password/link"),
            _page(CUSTOMERS),
            form=True,
        ),
        # The link's page spends nothing; an unknown link sets nothing.
        Row(
            "GET",
            "/portal/password/choose/{token}",
            _fixed(f"/portal/password/choose/{NO_LINK}"),
            _all(OK),
        ),
        Row(
            "POST",
            "/portal/password/choose/{token}",
            _fixed(f"/portal/password/choose/{NO_LINK}"),
            _all(NOT_FOUND),
        ),
        Row(
            "GET",
            "/api/voicemails",
            lambda w: "/api/voicemails",
            _api(dict.fromkeys(CUSTOMERS, OK)),
        ),
        # Another account's voicemail: 404, as if it did not exist.
        Row(
            "POST",
            "/portal/voicemails/{voicemail_id}/delete",
            lambda w: f"/portal/voicemails/{w.beta_vm}/delete",
            _page(CUSTOMERS, NOT_FOUND) | {BETA_ADMIN: OK},
            form=True,
            last=(BETA_ADMIN,),
        ),
        # Another account's recording: 404, as if it did not exist. (This
        # world keeps no audio, so its owner hears 404 as well; the portal's
        # browser test, test_portal_browser.py, plays one.)
        Row(
            "GET",
            "/portal/voicemails/{voicemail_id}/audio",
            lambda w: f"/portal/voicemails/{w.beta_vm}/audio",
            _page(CUSTOMERS, NOT_FOUND),
        ),
        # A colleague's voicemail: the end user may not, the admin may.
        Row(
            "DELETE",
            "/api/voicemails/{voicemail_id}",
            lambda w: f"/api/voicemails/{w.acme_admin_vm}",
            _api(dict.fromkeys(CUSTOMERS, NOT_FOUND) | {ACME_ADMIN: OK}),
            last=(ACME_ADMIN,),
        ),
        # Verifying someone else's (or no) request: refused in one answer.
        Row(
            "POST",
            "/portal/access-requests/verify",
            lambda w: "/portal/access-requests/verify",
            _page(CUSTOMERS, FORBIDDEN),
            form=True,
            fields={"case_ref": "SAR-NONE-0000", "password": PASSWORD},
        ),
        Row(
            "POST",
            "/logout",
            lambda w: "/logout",
            _all(SIGN_IN),
            form=True,
            last=SIGNED_IN,
        ),
    ]
    return rows


# Public entry points that write (beacons, requests, sign-in) are exercised by
# their own tests and the load bench; here they only need to be named.
OWN_TESTS = {
    ("POST", "/collect"),
    ("POST", "/rights/access"),
    ("POST", "/api/sar"),
    ("POST", "/login"),
    # Subscription requests: tests/changes/test_subscriptions_optin.py.
    ("POST", "/policy/subscribe"),
    ("POST", "/api/subscriptions"),
    # Adding a user changes who may do what: tests/web/test_console_users.py
    # and test_console_roles.py try it as every role.
    ("POST", "/console/users"),
    # Choosing one's own password: tests/rights/test_verification.py.
    ("POST", "/portal/password"),
}


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def _served(routes: Sequence[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every API route, inside included routers too."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, APIRoute):
            found |= {(method, route.path) for method in route.methods or ()}
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found |= _served(inner.routes)
    return found


def test_the_table_names_every_route_the_app_serves(settings: Settings) -> None:
    served = _served(create_app(settings).routes)
    assert len(served) > 20
    named = {(row.method, row.path) for row in _table()} | OWN_TESTS
    assert served - named == set(), "routes missing from the access table"
    assert named - served == set(), "the table names routes the app does not serve"


def _session(client: TestClient, who: str) -> tuple[dict[str, str], str]:
    """Cookies and CSRF token of `who`, signed in through the form."""
    client.cookies.clear()
    if who == ANONYMOUS:
        return {}, ""
    csrf = sign_in(client, who)
    cookies = dict(client.cookies.items())
    client.cookies.clear()
    return cookies, csrf


def test_every_route_answers_every_role_as_the_table_says(
    client: TestClient, store: Store, world: World
) -> None:
    sessions = {who: _session(client, who) for who in EVERYONE}
    tokens = {who: issue_api_token(store, email=who) for who in SIGNED_IN}
    wrong: list[str] = []
    checked = 0
    for row in _table():
        order = [w for w in EVERYONE if w not in row.last] + list(row.last)
        for who in order:
            cookies, csrf = sessions[who]
            headers = {}
            if row.path.startswith("/api/") and who != ANONYMOUS:
                headers["Authorization"] = f"Bearer {tokens[who]}"
            client.cookies.clear()
            if not row.path.startswith("/api/"):
                client.cookies.update(cookies)
            response = client.request(
                row.method,
                row.url(world),
                headers=headers,
                data={"csrf": csrf, **row.fields} if row.form else None,
                follow_redirects=False,
            )
            checked += 1
            expected = row.expect[who]
            got = response.status_code
            to_login = response.headers.get("location", "").startswith("/login")
            if expected == SIGN_IN:
                good = got == 303 and to_login
            elif expected == OK:
                good = 200 <= got < 300 or (got == 303 and not to_login)
            else:
                good = got == expected
            if not good:
                wrong.append(
                    f"{row.method} {row.path} as {who}: {got}, want {expected}"
                )
    tried("role x route pairs checked", checked)
    assert not wrong, "\n".join(wrong)
