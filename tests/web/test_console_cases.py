"""Case work in the browser's forms: the attacks first, then an officer's whole request.

Clauses: rights.access, rights.access.verification,
rights.access.fee_or_reject, secure.measures (every action is a form post
with the session's anti-forgery token, by a signed-in privacy officer, and
audited under that officer).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.rights.conftest import Sink
from tests.web.console_world import (
    ANN,
    OFFICER,
    SECOND_OFFICER,
    Staffed,
    ann_asks,
    code_sent,
    sign_in,
    staff_and_ann,
)
from tests.web.live import app_client
from tutela.collect.accounts.contacts import confirm_phone
from tutela.config import Settings
from tutela.rights.cases import show_case
from tutela.rights.intake import open_request
from tutela.store.db import Store
from tutela.store.models import AuditEntry, DownloadToken, Person, SarCase

pytestmark = pytest.mark.clause("rights.access")


@pytest.fixture
def staffed(store: Store) -> Staffed:
    return staff_and_ann(store)


@pytest.fixture
def client(staffed: Staffed, mail_settings: Settings) -> Iterator[TestClient]:
    with app_client(mail_settings) as test_client:
        yield test_client


def audit_actions(store: Store, actor: str) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.actor == actor)
                .order_by(AuditEntry.seq)
            )
        )


@pytest.mark.clause("secure.measures")
def test_a_case_action_without_the_form_token_is_refused(
    client: TestClient, store: Store, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    sign_in(client, OFFICER)
    for token in ({}, {"csrf": "forged"}):
        refused = client.post(
            f"/console/sar/{case_id}/verify/code",
            data={"code": code_sent(store), **token},
            follow_redirects=False,
        )
        assert refused.status_code == 403
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("secure.measures")
def test_a_signed_out_officer_cannot_act_on_a_case(
    client: TestClient, store: Store, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    client.post("/logout", data={"csrf": csrf})
    refused = client.post(
        f"/console/sar/{case_id}/verify/code",
        data={"code": code_sent(store), "csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.fee_or_reject")
def test_a_support_agent_cannot_decide_or_even_open_a_case(
    client: TestClient, store: Store, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, "support@staff.test")
    assert client.get(f"/console/sar/{case_id}").status_code == 403
    refused = client.post(
        f"/console/sar/{case_id}/decide",
        data={"decision": "reject", "reason": "excessive", "csrf": csrf},
    )
    assert refused.status_code == 403
    assert show_case(store, case_id).state == "verifying"
    assert ANN not in refused.text


@pytest.mark.parametrize(
    "path",
    ["/console/sar/999999", "/console/sar/999999/preview"],
)
def test_a_case_that_does_not_exist_answers_404(client: TestClient, path: str) -> None:
    sign_in(client, OFFICER)
    assert client.get(path).status_code == 404


def test_acting_on_a_case_that_does_not_exist_answers_404(
    client: TestClient,
) -> None:
    csrf = sign_in(client, OFFICER)
    for action, form in (
        ("verify/code", {"code": "12345678"}),
        ("decide", {"decision": "reject", "reason": "excessive"}),
        ("extend", {"reason": "we need more time to collect recordings"}),
        ("release", {}),
        ("assign", {"to": "me"}),
    ):
        answer = client.post(
            f"/console/sar/999999/{action}", data={"csrf": csrf, **form}
        )
        assert answer.status_code == 404, action


def test_a_hostile_case_id_is_refused_cleanly(client: TestClient) -> None:
    sign_in(client, OFFICER)
    for path in ("/console/sar/0", "/console/sar/-1", "/console/sar/9" * 30):
        answer = client.get(path)
        assert answer.status_code in (404, 422), path
        assert "Traceback" not in answer.text


@pytest.mark.clause("rights.access.verification")
def test_the_case_page_names_the_requester_and_the_matched_person(
    client: TestClient, store: Store, staffed: Staffed, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    sign_in(client, OFFICER)
    page = client.get(f"/console/sar/{case_id}")
    assert page.status_code == 200
    text = page.text
    assert f'id="requester">{ANN}<' in text
    assert "Ann Example" in text and "ACME-1" in text
    assert "day(s) left" in text and "ccpa (CCPA" in text
    # The code itself is never shown back to staff.
    assert code_sent(store) not in text
    # The look at the requester and the person went through the purpose gate.
    officer = f"staff:{staffed.user_ids[OFFICER]}"
    assert "use.grant" in audit_actions(store, officer)


@pytest.mark.clause("rights.access.verification")
def test_the_preview_shows_exactly_what_the_release_contains(
    client: TestClient, store: Store, mail_settings: Settings, sink: Sink
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    assert client.get(f"/console/sar/{case_id}/preview").status_code == 409
    checked = client.post(
        f"/console/sar/{case_id}/verify/code",
        data={"code": code_sent(store), "csrf": csrf},
    )
    assert checked.status_code == 200 and "verified by email_code" in checked.text
    preview = client.get(f"/console/sar/{case_id}/preview")
    assert preview.status_code == 200
    files = preview.text.split('<ul id="files">')[1].split("</ul>")[0]
    listed = [f.split("</li>")[0] for f in files.split("<li>")[1:]]
    released = client.post(
        f"/console/sar/{case_id}/release", data={"csrf": csrf}, follow_redirects=False
    )
    assert released.status_code == 303
    assert show_case(store, case_id).state == "fulfilled"
    (mail,) = [m for m in sink.to(ANN) if "personal information" in str(m["Subject"])]
    body = mail.get_body(("plain",))
    assert body is not None
    link = str(body.get_content()).split("/rights/download/")[1]
    token = link.split()[0]
    assert client.get(f"/rights/download/{token}").status_code == 200
    got = client.post(f"/rights/download/{token}")
    assert got.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    assert sorted(archive.namelist()) == sorted(listed)
    doc = json.loads(archive.read("data.json"))
    for name, category in doc["categories"].items():
        assert f'<td>{name}</td><td class="n">{category["count"]}</td>' in preview.text
    with store.session() as session:
        assert session.scalars(select(DownloadToken.used_at)).one() is not None


def test_every_officer_action_is_audited_under_that_officer(
    client: TestClient, store: Store, staffed: Staffed, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    officer = f"staff:{staffed.user_ids[OFFICER]}"
    client.post(f"/console/sar/{case_id}/assign", data={"to": "me", "csrf": csrf})
    client.post(
        f"/console/sar/{case_id}/extend",
        data={"reason": "collecting the call recordings takes longer", "csrf": csrf},
    )
    client.post(
        f"/console/sar/{case_id}/decide",
        data={"decision": "reject", "reason": "impractical", "csrf": csrf},
    )
    actions = audit_actions(store, officer)
    for action in ("sar.assigned", "sar.extended", "sar.rejected"):
        assert action in actions
    view = show_case(store, case_id)
    assert view.state == "rejected" and view.extended_to is not None
    page = client.get(f"/console/sar/{case_id}")
    assert f'id="assigned">{officer}<' in page.text
    assert "rejected: impractical" in page.text


def test_a_refused_action_says_why_and_leads_back_to_the_case(
    client: TestClient, store: Store, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    refused = client.post(
        f"/console/sar/{case_id}/decide",
        data={"decision": "fee", "amount": "ten", "reason": "excessive", "csrf": csrf},
    )
    assert refused.status_code == 400 and "fee" in refused.text
    assert f'href="/console/sar/{case_id}"' in refused.text
    wrong = client.post(
        f"/console/sar/{case_id}/verify/code", data={"code": "00000000", "csrf": csrf}
    )
    assert wrong.status_code == 403
    assert show_case(store, case_id).state == "verifying"


def test_the_call_back_code_is_shown_once_to_the_officer(
    client: TestClient, store: Store, staffed: Staffed, mail_settings: Settings
) -> None:
    with store.session() as s:
        ann = s.get(Person, staffed.ann_person)
        assert ann is not None
        confirm_phone(s, person=ann)  # a line she proved: call-backs go only there
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    answer = client.post(
        f"/console/sar/{case_id}/verify/send-code",
        data={"phone": "+14155550123", "csrf": csrf},
    )
    assert answer.status_code == 200, answer.text
    assert 'id="call-back-code"' in answer.text
    shown = re.search(r'id="call-back-code">[^<]*?(\d+)<', answer.text)
    assert shown is not None
    code = shown.group(1)
    again = client.get(f"/console/sar/{case_id}")
    assert 'id="call-back-code"' not in again.text
    # The officer who saw the code cannot also be the one told it back.
    own = client.post(
        f"/console/sar/{case_id}/verify/code", data={"code": code, "csrf": csrf}
    )
    assert own.status_code == 403, own.text
    assert show_case(store, case_id).state == "verifying"
    with app_client(mail_settings) as second:
        csrf2 = sign_in(second, SECOND_OFFICER)
        told = second.post(
            f"/console/sar/{case_id}/verify/code", data={"code": code, "csrf": csrf2}
        )
        assert told.status_code == 200, told.text
    assert show_case(store, case_id).state == "verified"


@pytest.mark.clause("rights.access.verification")
def test_an_override_needs_a_second_officer_in_the_console_too(
    client: TestClient,
    store: Store,
    staffed: Staffed,
    mail_settings: Settings,
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    proposed = client.post(
        f"/console/sar/{case_id}/verify/override",
        data={"reason": "identity checked against the signed contract", "csrf": csrf},
    )
    assert proposed.status_code == 200, proposed.text
    shown = client.get(f"/console/sar/{case_id}").text
    proposal = shown.split('name="proposal" value="')[1].split('"')[0]
    own = client.post(
        f"/console/sar/{case_id}/verify/override/approve",
        data={"csrf": csrf, "proposal": proposal},
    )
    assert own.status_code == 403
    assert show_case(store, case_id).state != "verified"
    with app_client(mail_settings) as second:
        csrf2 = sign_in(second, SECOND_OFFICER)
        approved = second.post(
            f"/console/sar/{case_id}/verify/override/approve",
            data={"csrf": csrf2, "proposal": proposal},
        )
        assert approved.status_code == 200, approved.text
    assert show_case(store, case_id).state == "verified"


def test_a_case_is_assigned_only_to_an_active_privacy_officer(
    client: TestClient, store: Store, staffed: Staffed, mail_settings: Settings
) -> None:
    case_id = ann_asks(store, mail_settings)
    csrf = sign_in(client, OFFICER)
    support = f"staff:{staffed.user_ids['support@staff.test']}"
    refused = client.post(
        f"/console/sar/{case_id}/assign", data={"to": support, "csrf": csrf}
    )
    assert refused.status_code == 403
    second = f"staff:{staffed.user_ids[SECOND_OFFICER]}"
    done = client.post(
        f"/console/sar/{case_id}/assign", data={"to": second, "csrf": csrf}
    )
    assert done.status_code == 200 and f'id="assigned">{second}<' in done.text
    mine = client.get("/console/sar?mine=true")
    assert show_case(store, case_id).ref not in mine.text


def test_the_queue_shows_and_filters_what_each_request_asks_for(
    client: TestClient, store: Store, mail_settings: Settings
) -> None:
    access = show_case(store, ann_asks(store, mail_settings))
    erasure_ref = open_request(
        store, email="bo@example.net", settings=mail_settings, kind="erasure"
    )
    sign_in(client, OFFICER)
    page = client.get("/console/sar")
    assert page.status_code == 200
    assert '<td class="kind">erasure</td>' in page.text
    assert '<td class="kind">access</td>' in page.text
    only = client.get("/console/sar?kind=erasure")
    assert erasure_ref in only.text and access.ref not in only.text
    refused = client.get("/console/sar?kind=deletion")
    assert refused.status_code == 400 and "kind" in refused.text
    # The case page says what is asked for, and its decision starts unchosen.
    with store.session() as s:
        erasure_id = s.scalars(
            select(SarCase.id).where(SarCase.ref == erasure_ref)
        ).one()
    case_page = client.get(f"/console/sar/{erasure_id}").text
    assert '<span id="case-kind">Erasure</span> request' in case_page
    assert '<option value="" selected disabled>choose</option>' in case_page
