"""The customer portal and API: a customer's own voice mail, and verifying an access request.

Clauses: collect.service_use.voicemail (voice mail is kept "until the
customer deletes" it: the customer deletes it here), scope.business_only and
use.purposes (a customer admin sees the account's mailboxes, an end user
only their own; see `tutela.collect.voicemail.mailbox`), rights.access.verification (a
signed-in customer who re-enters the password can verify an access request
made from their own address: `tutela.rights.claims.claim_case`), secure.measures (session cookie + CSRF
token for pages, bearer token for the API).

    GET    /portal                               page: the voicemails, players, delete buttons
    GET    /portal/voicemails/{id}/audio         the recording (through the gate)
    POST   /portal/voicemails/{id}/delete        form (csrf) -> 303 /portal
    POST   /portal/access-requests/verify        form (csrf, case_ref, password)
    GET    /api/voicemails                       bearer -> {"ok", "data", "count"}
    DELETE /api/voicemails/{id}                  bearer -> {"ok", "deleted"}
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from tutela.auth.signin import (
    AuthenticationFailed,
    Principal,
    csrf_token,
    reauthenticate,
)
from tutela.collect.voicemail import delete_own_voicemail, mailbox, voicemail_audio
from tutela.errors import NotFound, TutelaError
from tutela.rights.claims import claim_case
from tutela.store import BlobStore
from tutela.web._pages import render
from tutela.web.deps import (
    SESSION_COOKIE,
    AuthSettingsDep,
    PageDenied,
    SettingsDep,
    StoreDep,
    csrf_checked,
    require_customer,
)

router = APIRouter(tags=["portal"])

CustomerPrincipal = Annotated[Principal, Depends(require_customer)]
VoicemailId = Annotated[int, Path(ge=1, le=2**62, description="Id of the voicemail.")]

_FLASH = {"deleted": "The voicemail was deleted and its recording destroyed."}


def _checked_customer(
    request: Request, principal: Annotated[Principal, Depends(csrf_checked)]
) -> Principal:
    return require_customer(request, principal)


CheckedCustomer = Annotated[Principal, Depends(_checked_customer)]


@router.get("/portal")
def read_portal(
    request: Request,
    store: StoreDep,
    principal: CustomerPrincipal,
    done: str | None = None,
) -> Response:
    """The customer's voicemails, with a delete button on each."""
    token = request.cookies.get(SESSION_COOKIE) or ""
    return render(
        "portal.html",
        principal=principal,
        csrf=csrf_token(token),
        items=mailbox(store, principal.actor),
        flash=_FLASH.get(done or ""),
    )


@router.post("/portal/voicemails/{voicemail_id}/delete")
def delete_portal_voicemail(
    voicemail_id: VoicemailId, store: StoreDep, principal: CheckedCustomer
) -> Response:
    """Delete one voicemail for good (audio shredded), then back to the list."""
    try:
        delete_own_voicemail(store, principal.actor, voicemail_id)
    except NotFound as exc:
        raise PageDenied(404, exc.message, back="/portal") from None
    return RedirectResponse("/portal?done=deleted", status_code=303)


@router.get("/portal/voicemails/{voicemail_id}/audio")
def read_portal_voicemail_audio(
    voicemail_id: VoicemailId,
    store: StoreDep,
    settings: SettingsDep,
    principal: CustomerPrincipal,
) -> Response:
    """The recording, for the page's audio player (never cached)."""
    try:
        audio = voicemail_audio(
            store,
            principal.actor,
            voicemail_id,
            blobs=BlobStore.in_data_dir(settings.data),
        )
    except NotFound as exc:
        raise PageDenied(404, exc.message, back="/portal") from None
    return Response(
        audio.data,
        media_type=audio.media_type,
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


@router.post("/portal/access-requests/verify")
def verify_access_request(
    request: Request,
    store: StoreDep,
    rules: AuthSettingsDep,
    principal: CheckedCustomer,
    case_ref: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Re-enter the password, then verify the named access request as this user."""
    token = request.cookies.get(SESSION_COOKIE) or ""
    csrf = csrf_token(token)
    try:
        fresh = reauthenticate(store, token, password=password, rules=rules)
    except AuthenticationFailed as exc:
        return render(
            "verified.html",
            status=exc.status,
            principal=principal,
            csrf=csrf,
            ok=False,
            message="The password is wrong, or too many attempts were made.",
        )
    actor = fresh.actor
    try:
        if actor.person_id is None or actor.account_id is None:
            raise NotFound("no request has that reference")
        claim_case(
            store,
            case_ref,
            user_id=fresh.user_id,
            person_id=actor.person_id,
            account_id=actor.account_id,
            sign_in_address=fresh.email,
            reauthenticated_at=fresh.reauthenticated_at,
        )
    except TutelaError:
        # One answer for an unknown reference and someone else's request.
        return render(
            "verified.html",
            status=403,
            principal=principal,
            csrf=csrf,
            ok=False,
            message="That request could not be verified as yours. Check the "
            "reference in our acknowledgement, or reply to it by e-mail.",
        )
    return render(
        "verified.html",
        principal=principal,
        csrf=csrf,
        ok=True,
        message="Thank you: your request is verified and will be processed.",
    )


# ------------------------------------------------------------ API (bearer token)


@router.get("/api/voicemails")
def read_voicemails(store: StoreDep, principal: CustomerPrincipal) -> dict[str, Any]:
    """The caller's voicemails in the shared envelope (no audio)."""
    items = [item.as_dict() for item in mailbox(store, principal.actor)]
    return {"ok": True, "data": items, "count": len(items)}


@router.delete("/api/voicemails/{voicemail_id}")
def delete_voicemail_api(
    voicemail_id: VoicemailId, store: StoreDep, principal: CustomerPrincipal
) -> dict[str, Any]:
    """Delete one voicemail for good; 404 if it is not in the caller's reach."""
    delete_own_voicemail(store, principal.actor, voicemail_id)
    return {"ok": True, "deleted": voicemail_id}
