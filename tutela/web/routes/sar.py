"""Public subject access request form and JSON API.

Clauses: rights.access.request (a request can also come from the web form
or the API, and makes the same kind of case as an e-mail),
rights.access.verification (the answer is word for word the same whether
or not the address is known, and any code goes to the address on file).
The answer is sent before anyone is looked up: the lookup and the code
run as a background task after the response (`tutela.rights.requests`),
so the time to answer does not depend on whether the address is known.

    GET  /rights/access   the form
    POST /rights/access   form post (application/x-www-form-urlencoded)
    POST /api/sar         {"email": "...", "name": "...", "requested":
                           "copy|categories|erasure|correction", "jurisdiction":
                           "US-CA|US|CA|GB|EU"} ("kind": "access|erasure|
                           correction" may stand for "requested")
                          -> {"ok": true, "case": {"ref": ...}}
                          (both posts: at most Settings.sar_requests_per_hour per
                          client address, and Settings.mail_per_address_per_hour
                          and _per_day per e-mail address asked about, counted
                          in the database before anyone is looked up; then 429
                          with Retry-After, no case and no mail)
    GET  /rights/download/{token}   a page with a button (and the address field
                                    when the link asks for it); spends nothing,
                                    so mail scanners cannot burn the link; 410
                                    once used or expired
    POST /rights/download/{token}   the button: the export zip, once (rights.access)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from tutela.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from tutela.mail import AddressLimits, limit_request
from tutela.policy import Policy
from tutela.rights.export import Download, LinkUnusable, needs_factor, open_download
from tutela.rights.notices import FORM_ACK
from tutela.rights.request_form import JURISDICTIONS, REQUEST_KINDS, clean_request
from tutela.rights.requests import Receipt, receive_request
from tutela.store import BlobStore, Store
from tutela.web._pages import render
from tutela.web._webstore import get_web_store
from tutela.web.deps import PolicyDep, SettingsDep
from tutela.web.routes.collect import client_address
from tutela.web.throttle import RequestLimit


def within_request_limit(request: Request, settings: SettingsDep) -> None:
    """Refuse (429) a client over `Settings.sar_requests_per_hour` (`throttle`)."""
    peer = request.client.host if request.client else None
    client = client_address(
        peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies
    )
    limit: RequestLimit = request.app.state.sar_limit
    wait = limit.check(client or "unknown")
    if wait is not None:
        raise TooManyRequests(
            "too many access requests from this address; try again later",
            retry_after_s=wait,
        )


router = APIRouter(tags=["sar"])
StoreDep = Annotated[Store, Depends(get_web_store)]
LimitDep = Depends(within_request_limit)


class SarCreate(BaseModel):
    """A subject access request made through the API."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    requested: str | None = Field(default=None, max_length=24)
    jurisdiction: str | None = Field(default=None, max_length=8)
    kind: str | None = Field(default=None, max_length=12)


class SarReceipt(BaseModel):
    ref: str
    state: str
    message: str


def _receipt(ref: str) -> SarReceipt:
    return SarReceipt(ref=ref, state="received", message=FORM_ACK.format(ref=ref))


def _answer_first(receipt: Receipt, tasks: BackgroundTasks) -> str:
    """Queue the lookup and verification for after the response; the reference now."""
    if receipt.follow_up is not None:
        tasks.add_task(receipt.follow_up)
    return receipt.ref


def _form(
    policy: Policy,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    kind: str = "copy",
    place: str = "",
) -> HTMLResponse:
    procedure = policy.meaning.access_request
    return render(
        "access_form.html",
        status=status,
        org=policy.short_name,
        address=procedure.address,
        heading=procedure.heading,
        kinds=REQUEST_KINDS,
        places=JURISDICTIONS,
        chosen_kind=kind if kind in REQUEST_KINDS else "copy",
        chosen_place=place if place in JURISDICTIONS else "",
        problems=problems or [],
    )


@router.get("/rights/access", response_class=HTMLResponse)
def read_access_form(policy: PolicyDep) -> HTMLResponse:
    return _form(policy)


@router.post("/rights/access", response_class=HTMLResponse, dependencies=[LimitDep])
def create_access_request(
    store: StoreDep,
    settings: SettingsDep,
    policy: PolicyDep,
    tasks: BackgroundTasks,
    # Defaults, so that a missing field is answered on the form, not a bare 422.
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    requested: Annotated[str, Form(max_length=24)] = "",
    jurisdiction: Annotated[str, Form(max_length=8)] = "",
    kind: Annotated[str, Form(max_length=12)] = "",
) -> HTMLResponse:
    """The form post; a wrong field shows the form again, saying what to fix."""
    try:
        details = clean_request(
            name=name,
            requested=requested,
            jurisdiction=jurisdiction,
            email=email,
            kind=kind,
        )
        limit_request(store, email, limits=AddressLimits.of(settings))
        found = receive_request(
            store, email=email, settings=settings, channel="web", details=details
        )
    except InvalidInput as refused:
        problems = refused.errors or [f"{refused.location.field}: {refused.reason}"]
        return _form(
            policy,
            status=400,
            problems=[_label(problem) for problem in problems],
            kind=requested,
            place=jurisdiction.strip().upper(),
        )
    receipt = _receipt(_answer_first(found, tasks))
    paragraphs = [p for p in receipt.message.split("\n\n") if p.strip()]
    return render("access_received.html", status=202, paragraphs=paragraphs)


_LABELS = {
    "email": "E-mail address",
    "name": "Your name",
    "requested": "What you are asking for",
    "kind": "What you are asking for",
    "jurisdiction": "Where you live",
}


def _label(problem: str) -> str:
    field, _, reason = problem.partition(": ")
    return f"{_LABELS.get(field, field)}: {reason}" if reason else problem


@router.post("/api/sar", status_code=202, dependencies=[LimitDep])
def create_sar(
    body: SarCreate, store: StoreDep, settings: SettingsDep, tasks: BackgroundTasks
) -> dict[str, object]:
    details = clean_request(
        name=body.name,
        requested=body.requested,
        jurisdiction=body.jurisdiction,
        kind=body.kind,
    )
    limit_request(store, body.email, limits=AddressLimits.of(settings))
    found = receive_request(
        store, email=body.email, settings=settings, channel="api", details=details
    )
    ref = _answer_first(found, tasks)
    return {"ok": True, "case": _receipt(ref).model_dump()}


_NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 1 << 16):
        yield data[start : start + (1 << 16)]


def _zip(download: Download) -> StreamingResponse:
    return StreamingResponse(
        _chunks(download.data),
        media_type="application/zip",
        headers={
            **_NO_STORE,
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "Content-Length": str(len(download.data)),
        },
    )


def _download_page(
    *,
    status: int = 200,
    needs_address: bool = False,
    problem: str | None = None,
    usable: bool = True,
) -> HTMLResponse:
    return render(
        "download.html",
        status=status,
        needs_address=needs_address,
        problem=problem,
        usable=usable,
    )


@router.get("/rights/download/{token}", response_class=HTMLResponse)
def read_export_download(token: str, store: StoreDep) -> HTMLResponse:
    """The download page: a button (and the address, if the link asks for it).

    Spends nothing: mail scanners and link previews fetch every link of a
    message, so only the button's POST releases the zip. A used, burned or
    expired link answers 410 here too, an unknown one 404.
    """
    try:
        needs_address = needs_factor(store, token)
    except (LinkUnusable, NotFound) as refused:
        return _download_page(
            status=refused.status, problem=refused.message, usable=False
        )
    return _download_page(needs_address=needs_address)


@router.post("/rights/download/{token}", response_model=None)
def create_export_download(
    token: str,
    store: StoreDep,
    settings: SettingsDep,
    email: Annotated[str | None, Form(max_length=320)] = None,
) -> Response:
    """Release the export once (the page's button); the link is then spent.

    Of concurrent clicks exactly one gets the zip; the others get 410.
    """
    blobs = BlobStore.in_data_dir(settings.data)
    try:
        download = open_download(store, token, blobs=blobs, address=email)
    except (LinkUnusable, NotFound) as refused:
        return _download_page(
            status=refused.status, problem=refused.message, usable=False
        )
    except Forbidden as refused:  # the wrong address: the page asks again
        return _download_page(
            status=refused.status, needs_address=True, problem=refused.message
        )
    return _zip(download)
