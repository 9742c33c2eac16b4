"""Every response: security headers on it, and no detail of a failure in it.

Clause: secure.measures. `ResponseGuard` is the outermost middleware of the
app (inside Starlette's own error fallback), so it sees every response:

- it adds `SECURITY_HEADERS` where a response has not set them: a
  Content-Security-Policy that runs no script and loads nothing from another
  origin (the pages' inline styles are allowed), no framing (``frame-ancestors 'none'`` and ``X-Frame-Options``),
  ``nosniff``, no referrer leaving the site, and no cross-window access. The
  generated API docs at ``/api/docs`` run Swagger UI (its files served by
  this app, `tutela.web.docs`) and get a policy that allows its scripts;
- an exception no handler took becomes a bare 500 (the shared error
  envelope on API paths, the error page elsewhere), with the headers; only the exception's type is logged, never its
  message (it may carry personal data).
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutela.web._headers import DOCS_POLICY, DOCS_PREFIX, SECURITY_HEADERS
from tutela.web.errors import server_error

log = logging.getLogger(__name__)


def _headers_for(path: str) -> list[tuple[str, str]]:
    headers = dict(SECURITY_HEADERS)
    if path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/"):
        headers["Content-Security-Policy"] = DOCS_POLICY
    return list(headers.items())


class ResponseGuard:
    """ASGI middleware: security headers on every response, a bare 500 on a crash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _headers_for(scope.get("path", ""))
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a bare 500
            log.error("unhandled %s", type(exc).__name__)
            if started:
                return  # the client sees a cut-short response; nothing more to say
            # The envelope on API paths, the error page elsewhere (one shape).
            response = server_error(Request(scope))
            await response(scope, receive, send_secured)


__all__ = ["ResponseGuard"]
