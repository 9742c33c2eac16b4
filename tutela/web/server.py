"""How `tutela serve` runs the app: uvicorn, trusting proxies only as configured.

Clause: secure.measures. Uvicorn trusts ``X-Forwarded-For`` and
``X-Forwarded-Proto`` from 127.0.0.1 by default, so anyone who can reach the
server through the loopback (a local process, an SSH tunnel) could name any
client address: past the rate limit of access requests, and into the stored
visitor address. Here the proxy headers are honoured only when
``TUTELA_TRUSTED_PROXIES`` names networks, and then only from those
networks; with the default (none) they are ignored and the connection's
peer is the client.
"""

from __future__ import annotations

from typing import Any

import uvicorn

from tutela.config import Settings


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Uvicorn's proxy settings for ``settings.trusted_proxies``."""
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def server_config(
    app: Any, settings: Settings, *, host: str, port: int, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration `tutela serve` runs ``app`` with.

    Logging is Tutela's (`tutela.logs`, at ``TUTELA_LOG_LEVEL``): uvicorn
    installs no handlers of its own, and its access log, which writes each
    client's address and the raw path, stays off; the app logs its own
    line per request (`tutela.web.guard`).
    """
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=options.pop("log_level", None),
        access_log=False,
        server_header=False,
        **proxy_options(settings),
        **options,
    )


__all__ = ["proxy_options", "server_config"]
