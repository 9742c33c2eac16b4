"""X-Forwarded-For is honoured only from the proxies TUTELA_TRUSTED_PROXIES names.

Uvicorn's own default trusts it from the loopback: a request from 127.0.0.1
could then claim any client address, dodge the access-request rate limit
and plant a false visitor address. A real server, run the way `tutela serve`
runs it (`server_config`), shows that it does not.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from tests.web.live import free_port
from tutela.config import Settings
from tutela.web.app import create_app
from tutela.web.server import proxy_options, server_config

pytestmark = pytest.mark.clause("secure.measures")


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        server_config(app, settings, host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        opened = getattr(app.state, "web_store", None)
        if opened is not None:
            opened.close()


def _two_requests(base: str) -> list[int]:
    statuses = []
    for n, claimed in enumerate(("198.51.100.7", "198.51.100.8")):
        request = urllib.request.Request(
            f"{base}/api/sar",
            data=json.dumps({"email": f"pat{n}@example.com"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": claimed},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)
    return statuses


def test_forwarded_for_from_loopback_is_ignored_by_default(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", sar_requests_per_hour=1)
    assert settings.trusted_proxies == []
    with serving(settings) as base:
        assert _two_requests(base) == [202, 429]


def test_forwarded_for_is_honoured_from_a_configured_proxy(tmp_path: Path) -> None:
    settings = Settings(
        data=tmp_path / "data",
        sar_requests_per_hour=1,
        trusted_proxies=["127.0.0.1/32"],
    )
    with serving(settings) as base:
        assert _two_requests(base) == [202, 202]


def test_proxy_options_follow_the_setting() -> None:
    assert proxy_options(Settings()) == {
        "proxy_headers": False,
        "forwarded_allow_ips": [],
    }
    trusted = Settings(trusted_proxies=["10.0.0.0/8"])
    assert proxy_options(trusted) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.0/8"],
    }
