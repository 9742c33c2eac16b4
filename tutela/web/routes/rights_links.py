"""The links a rights notice carries: stop a scheduled erasure, confirm a corrected address.

Clause: rights.access.verification, graded by harm (docs/verification.md).

    GET  /rights/erasure/stop/{token}     a page with a Stop button (spends nothing)
    POST /rights/erasure/stop/{token}     stops the erasure: nothing is erased
    GET  /rights/contact/confirm/{token}  a page with a Confirm button
    POST /rights/contact/confirm/{token}  the corrected address may verify from now

The link alone is the proof (a single-use token of 256 bits, kept only as
its digest): it reached an address on file. Only GET is safe for mail
scanners and link previews; every change is a POST.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from tutela.errors import TutelaError
from tutela.rights.cooling_off import STOP_PATH, stop_erasure
from tutela.rights.correction import CONFIRM_PATH, confirm_contact
from tutela.web._pages import render
from tutela.web.deps import PolicyDep, SettingsDep, StoreDep

router = APIRouter(tags=["rights"])

STOP_ACTOR = "public:erasure_stop_link"
MAX_TOKEN = 128


def _page(
    policy: PolicyDep, heading: str, *, status: int = 200, **context: object
) -> HTMLResponse:
    return render(
        "rights_link.html",
        status=status,
        heading=heading,
        org=policy.short_name,
        **context,
    )


@router.get(STOP_PATH + "/{token}", response_class=HTMLResponse)
def read_erasure_stop(token: str, policy: PolicyDep) -> HTMLResponse:
    return _page(policy, "Stop the deletion of your information", state="stop")


@router.post(STOP_PATH + "/{token}", response_class=HTMLResponse)
def stop_erasure_link(
    token: str, store: StoreDep, settings: SettingsDep, policy: PolicyDep
) -> HTMLResponse:
    try:
        stop_erasure(
            store, settings=settings, token=token[:MAX_TOKEN], actor=STOP_ACTOR
        )
    except TutelaError as refused:
        return _page(
            policy,
            "Stop the deletion of your information",
            status=refused.status,
            problem=refused.message,
        )
    return _page(
        policy,
        "Deletion stopped",
        done="Nothing was deleted. The request is closed, and whoever made it "
        "has been told.",
    )


@router.get(CONFIRM_PATH + "/{token}", response_class=HTMLResponse)
def read_contact_confirm(token: str, policy: PolicyDep) -> HTMLResponse:
    return _page(policy, "Confirm your e-mail address", state="confirm")


@router.post(CONFIRM_PATH + "/{token}", response_class=HTMLResponse)
def confirm_contact_link(
    token: str, store: StoreDep, policy: PolicyDep
) -> HTMLResponse:
    try:
        confirm_contact(store, token[:MAX_TOKEN])
    except TutelaError as refused:
        return _page(
            policy,
            "Confirm your e-mail address",
            status=refused.status,
            problem=refused.message,
        )
    return _page(
        policy,
        "Address confirmed",
        done="Thank you: this address is confirmed as yours.",
    )
