"""Shared fixtures of the audit tests: a witness endpoint that receives posts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest


class _Collector(BaseHTTPRequestHandler):
    """Keeps every JSON body posted to it, as a remote witness would."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def witness_url() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP witness: its URL and the records it received."""
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/witness", _Collector.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
