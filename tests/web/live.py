"""Web test helpers: an in-process client, a real server on a free port, Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tutela.config import Settings
from tutela.store.db import Store
from tutela.web.app import create_app

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is installed by `make test` (scripts/ensure-system-packages)"
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread; yield its base URL; stop and close it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
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


@contextmanager
def app_client(settings: Settings, **client_options: Any) -> Iterator[TestClient]:
    """A `TestClient` on a fresh app for `settings`; its store is closed after."""
    app = create_app(settings)
    try:
        with TestClient(app, **client_options) as client:
            yield client
    finally:
        opened: Store | None = getattr(app.state, "web_store", None)
        if opened is not None:
            opened.close()
