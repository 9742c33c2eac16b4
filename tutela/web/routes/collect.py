"""First-party page-view beacon: ``POST /collect`` and the snippet ``GET /collect.js``.

Policy: collect.web_use.web_activity ("the content viewed, the date and time
it was viewed, or the IP address from which it was viewed"),
collect.web_use.ad_clicks and scope.web_unlinked ("not associated with any
personally identifiable information"). A beacon goes through the same
pipeline as a log line: the full IP is used in memory for the country, the
/24 or /48 prefix and the day's keyed visitor hash, then dropped. It is never
stored, logged or echoed. Cookies are never read. A request with
``Sec-GPC: 1`` (or ``"gpc": true``) is never attributed to an ad.

Client address: the connection's peer. ``X-Forwarded-For`` is ignored unless
the peer is inside ``Settings.trusted_proxies`` (empty by default); then the
right-most address of the header that is not itself a trusted proxy is the
visitor's.
"""

from __future__ import annotations

import json
import logging
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutela.collect.weblog import Rejection, WebLogPipeline, make_hit
from tutela.collect.weblog.ingest import SITE_CHARS, store_web_records
from tutela.errors import InvalidInput
from tutela.store import utcnow
from tutela.web._webstore import SaltsDep, WebSessionDep, country_lookup
from tutela.web.deps import SettingsDep

logger = logging.getLogger(__name__)
router = APIRouter(tags=["collect"])

MAX_BODY_BYTES = 4096
PATH_CHARS = 2048
_HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?$"


class BodyTooLarge(InvalidInput):
    """A beacon body over the size limit."""

    status = 413


class CollectBeacon(BaseModel):
    """The JSON a page sends: what was viewed, from where, and the GPC signal."""

    model_config = ConfigDict(extra="forbid", strict=True)

    path: str = Field(min_length=1, max_length=PATH_CHARS, pattern=r"^/")
    referrer: str | None = Field(default=None, max_length=PATH_CHARS)
    site: str | None = Field(
        default=None, min_length=1, max_length=SITE_CHARS, pattern=_HOST
    )
    gpc: bool = False


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"beacon body is larger than {MAX_BODY_BYTES} bytes; send less",
            field="body",
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge(
                f"beacon body is larger than {MAX_BODY_BYTES} bytes; send less",
                field="body",
            )
    return bytes(body)


def _validation_messages(exc: ValidationError) -> list[str]:
    known = set(CollectBeacon.model_fields)
    messages = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = error["loc"][0] if error["loc"] else "body"
        # A key the client made up may itself be personal data: never echo it.
        name = loc if isinstance(loc, str) and loc in known else "(unknown field)"
        messages.append(f"{name}: {error['msg']}")
    return messages


async def read_beacon(request: Request) -> CollectBeacon:
    """The validated beacon, or a 400/413 that says which field is wrong."""
    body = await _read_body(request)
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(
            "beacon body is not JSON; send a JSON object", field="body"
        ) from None
    except RecursionError:
        raise InvalidInput(
            "beacon body is nested too deeply; send a flat JSON object", field="body"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("beacon body must be a JSON object", field="body")
    try:
        return CollectBeacon.model_validate(data)
    except ValidationError as exc:
        errors = _validation_messages(exc)
        raise InvalidInput(
            "beacon does not validate: " + "; ".join(errors), errors=errors
        ) from None


BeaconDep = Annotated[CollectBeacon, Depends(read_beacon)]


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: list[str]
) -> str | None:
    """The visitor's address: the peer, or X-Forwarded-For behind a trusted proxy."""
    if peer is None:
        return None
    networks: list[IPv4Network | IPv6Network] = []
    for cidr in trusted:
        try:
            networks.append(ip_network(cidr, strict=False))
        except ValueError:
            continue

    def is_trusted(text: str) -> bool:
        try:
            address = ip_address(text)
        except ValueError:
            return False
        return any(address in net for net in networks)

    if not forwarded_for or not is_trusted(peer):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop
    return hops[0] if hops else peer


def _site(beacon: CollectBeacon, request: Request) -> str:
    if beacon.site is not None:
        site = beacon.site.lower()
    else:
        site = (request.url.hostname or "").lower()
    try:
        ip_address(site.strip("[]"))
    except ValueError:
        if site:
            return site
    raise InvalidInput("give the site's host name in the beacon", field="site")


@router.post("/collect", status_code=202)
def create_collect(
    beacon: BeaconDep,
    request: Request,
    session: WebSessionDep,
    salts: SaltsDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Record one page view (and its ad click, unless GPC is on)."""
    peer = request.client.host if request.client is not None else None
    address = client_address(
        peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies
    )
    gpc = beacon.gpc or request.headers.get("sec-gpc", "").strip() == "1"
    # Whole seconds: a beacon fired twice in the same second is one view.
    now = utcnow().replace(microsecond=0)
    hit = make_hit(
        site=_site(beacon, request),
        ip=address or "",
        path=beacon.path,
        user_agent=request.headers.get("user-agent"),
        referrer=beacon.referrer,
        gpc=gpc,
        time=now,
    )
    if isinstance(hit, Rejection):
        raise InvalidInput(hit.reason, field=hit.field)
    pipeline = WebLogPipeline(salts, country=country_lookup())
    visits, clicks, refused = store_web_records(pipeline.handle(hit), session=session)
    if refused:
        raise InvalidInput(refused[0].reason, field=refused[0].field)
    logger.info("web.collect", extra={"visits": visits, "ad_clicks": clicks})
    return JSONResponse({"ok": True, "recorded": visits > 0}, status_code=202)


COLLECT_JS = """\
/* Tutela page-view beacon: no cookies, no storage, no identifiers. */
(function () {
  var me = document.currentScript;
  var base = me && me.src ? me.src.replace(/\\/collect\\.js(\\?.*)?$/, "") : "";
  function send() {
    var body = JSON.stringify({
      site: location.hostname,
      path: (location.pathname + location.search).slice(0, 2000),
      referrer: document.referrer ? document.referrer.slice(0, 2000) : null,
      gpc: navigator.globalPrivacyControl === true
    });
    var url = base + "/collect";
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
    if (window.fetch) {
      fetch(url, {method: "POST", body: body, keepalive: true,
                  credentials: "omit", mode: "no-cors"});
    }
  }
  if (document.visibilityState === "prerender") {
    document.addEventListener("visibilitychange", send, {once: true});
  } else {
    send();
  }
})();
"""


class JavaScriptResponse(Response):
    media_type = "text/javascript"


@router.get("/collect.js", response_class=JavaScriptResponse)
def read_collect_script() -> JavaScriptResponse:
    """The snippet a site includes: ``<script async src=".../collect.js"></script>``."""
    return JavaScriptResponse(
        COLLECT_JS, headers={"Cache-Control": "public, max-age=86400"}
    )
