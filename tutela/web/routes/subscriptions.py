"""Subscribing to policy updates on the web, and leaving with one click.

Clauses: changes.subscribe and changes.notice (see `tutela.changes.optin`).

    GET  /policy/subscribe              the form (an e-mail address)
    POST /policy/subscribe              form post -> 202 "check your mail"
    POST /api/subscriptions             {"email": ...} -> 202 {"ok", "status"}
                                        (both posts: at most
                                        Settings.sar_requests_per_hour per client,
                                        and Settings.mail_per_address_per_hour
                                        and _per_day per address typed: then
                                        429 with Retry-After, nothing mailed)
    GET  /subscribe/confirm/{token}     a page with a Confirm button (spends nothing)
    POST /subscribe/confirm/{token}     confirms: notices start
    GET  /unsubscribe/{token}           a page with an Unsubscribe button
    POST /unsubscribe/{token}           RFC 8058 one-click: ends the subscription,
                                        no session, no form token needed

The answer to a subscription request is the same whether the address was
unknown, waiting for confirmation or subscribed already, the refusal over
the per-address limit included (`tutela.mail.limits`: it is counted in the
database before the address is looked up, so it holds across every server
process and cannot tell a subscribed address from another). Only GET is safe
for mail scanners and link previews; every change is a POST.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from tutela.audit.log import record
from tutela.changes import (
    CONFIRM_PATH,
    confirm_subscription,
    request_subscription,
    subscription_for_token,
    unsubscribe_by_token,
)
from tutela.errors import InvalidInput, TooManyRequests, TutelaError
from tutela.mail import AddressLimits
from tutela.web._pages import render
from tutela.web.deps import PolicyDep, SettingsDep, StoreDep
from tutela.web.routes.collect import client_address
from tutela.web.throttle import RequestLimit

router = APIRouter(tags=["subscriptions"])

LINK_ACTOR = "public:subscription_link"
SENT = (
    "If this address can receive notices, a confirmation link is on its way. "
    "Open it within 48 hours; notices start only then."
)


def within_limit(request: Request, settings: SettingsDep) -> None:
    """At most `sar_requests_per_hour` requests per client address (`throttle`)."""
    peer = request.client.host if request.client else None
    client = client_address(
        peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies
    )
    state = request.app.state
    limit: RequestLimit | None = getattr(state, "subscribe_limit", None)
    if limit is None:
        limit = state.subscribe_limit = RequestLimit(settings.sar_requests_per_hour)
    wait = limit.check(client or "unknown")
    if wait is not None:
        raise TooManyRequests(
            "too many subscription requests from this address; try again later",
            retry_after_s=wait,
        )


LimitDep = Depends(within_limit)


class SubscriptionCreate(BaseModel):
    """A request for e-mail notice of policy updates, made through the API."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


def _page(
    policy: PolicyDep, heading: str, *, status: int = 200, **context: object
) -> HTMLResponse:
    procedure = policy.meaning.change_procedure
    return render(
        "subscription.html",
        status=status,
        heading=heading,
        org=policy.short_name,
        address=procedure.address,
        heading_text=procedure.heading,
        **context,
    )


def _request(
    store: StoreDep, settings: SettingsDep, policy: PolicyDep, email: str, channel: str
) -> None:
    with store.session() as session:
        request_subscription(
            session,
            address=email,
            channel=channel,
            link=settings.public_link(CONFIRM_PATH),
            sender=settings.mail_from,
            org=policy.short_name,
            limits=AddressLimits.of(settings),
        )


@router.get("/policy/subscribe", response_class=HTMLResponse)
def read_subscribe_form(policy: PolicyDep) -> HTMLResponse:
    return _page(policy, "Policy updates by e-mail", state="form")


@router.post("/policy/subscribe", response_class=HTMLResponse, dependencies=[LimitDep])
def create_subscription_form(
    store: StoreDep,
    settings: SettingsDep,
    policy: PolicyDep,
    email: Annotated[str, Form(max_length=320)] = "",
) -> HTMLResponse:
    try:
        _request(store, settings, policy, email, "web")
    except InvalidInput as refused:
        return _page(
            policy,
            "Policy updates by e-mail",
            status=refused.status,
            state="form",
            problem=f"E-mail address: {refused.reason}",
        )
    return _page(policy, "Check your mail", status=202, done=SENT)


@router.post("/api/subscriptions", status_code=202, dependencies=[LimitDep])
def create_subscription(
    body: SubscriptionCreate,
    store: StoreDep,
    settings: SettingsDep,
    policy: PolicyDep,
) -> dict[str, object]:
    _request(store, settings, policy, body.email, "api")
    return {"ok": True, "status": "confirmation_sent", "message": SENT}


@router.get("/subscribe/confirm/{token}", response_class=HTMLResponse)
def read_subscription_confirm(token: str, policy: PolicyDep) -> HTMLResponse:
    return _page(policy, "Confirm policy updates", state="confirm")


@router.post("/subscribe/confirm/{token}", response_class=HTMLResponse)
def confirm_subscription_link(
    token: str, store: StoreDep, policy: PolicyDep
) -> HTMLResponse:
    try:
        with store.session() as session:
            row_id = confirm_subscription(session, token[:128]).id
    except TutelaError as refused:
        return _page(
            policy,
            "Confirm policy updates",
            status=refused.status,
            problem=refused.message,
        )
    record(
        store,
        actor=LINK_ACTOR,
        action="subscription.confirmed",
        details={"subscription": row_id},
    )
    return _page(
        policy,
        "Subscribed",
        done="You will get an e-mail when a new version of the policy is published. "
        "Every notice has a link to stop them.",
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def read_unsubscribe(token: str, store: StoreDep, policy: PolicyDep) -> HTMLResponse:
    try:
        with store.session() as session:
            subscription_for_token(session, token[:128])
    except TutelaError as refused:
        return _page(
            policy, "Unsubscribe", status=refused.status, problem=refused.message
        )
    return _page(policy, "Unsubscribe", state="unsubscribe")


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def delete_subscription(token: str, store: StoreDep, policy: PolicyDep) -> HTMLResponse:
    """RFC 8058 one-click: the link alone is the proof; no session, no CSRF token."""
    try:
        with store.session() as session:
            row_id = unsubscribe_by_token(session, token[:128])
    except TutelaError as refused:
        return _page(
            policy, "Unsubscribe", status=refused.status, problem=refused.message
        )
    record(
        store,
        actor=LINK_ACTOR,
        action="subscription.unsubscribed",
        details={"subscription": row_id},
    )
    return _page(
        policy,
        "Unsubscribed",
        done="You will get no more notices of policy updates.",
    )
