"""A bounded load test on loopback: concurrent requests of four kinds, no 5xx.

Clauses rights.access.request (the public request form and API hold under
load and limit each client: 429 past `sar_requests_per_hour`),
secure.measures (sign-in and guesses of download links under load: refused
or locked out, never a crash), collect.web_use.web_activity (page-view
beacons).

A real uvicorn server (`tutela serve`'s app) on 127.0.0.1 with a fresh
SQLite store gets, from `--clients` threads at once, `--requests` requests
of each kind: access requests (`POST /api/sar`), download-link guesses
(`POST /rights/download/<token>`, the codes a stranger could try), beacon
hits (`POST /collect`) and sign-ins (`GET` + `POST /login`, a wrong password
for one user, the right one for another). Prints one JSON document:
requests/s and p50/p95 latency per kind, the statuses seen, and whether the
limits answered 429. Exits 1 if any answer was a 5xx or the SAR limit never
answered 429.

    .venv/bin/python bench/bench_load.py [--clients 8] [--requests 100]
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import uvicorn

from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.store.db import open_store
from tutela.web.app import create_app

PASSWORD = "load-test-password-not-secret"
Request = Callable[["Client", int], int]


class Client:
    """A requests session against one base URL (cookies kept per client)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def send(self, method: str, path: str, **options: Any) -> requests.Response:
        return self.http.request(
            method, self.base + path, timeout=60, allow_redirects=False, **options
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sar(client: Client, n: int) -> int:
    body = {"email": f"load-{n}@example.test"}
    return int(client.send("POST", "/api/sar", json=body).status_code)


def _guess(client: Client, n: int) -> int:
    path = f"/rights/download/tdl_{secrets.token_urlsafe(32)}"
    return int(client.send("POST", path).status_code)


def _beacon(client: Client, n: int) -> int:
    body = {"path": f"/pricing?n={n}", "site": "www.example.test", "gpc": n % 5 == 0}
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0"}
    return int(client.send("POST", "/collect", json=body, headers=agent).status_code)


def _sign_in(client: Client, n: int) -> int:
    client.http.cookies.clear()
    form = client.send("GET", "/login")
    csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    wrong = n % 2 == 0
    email = "locked@staff.test" if wrong else "ok@staff.test"
    data = {"email": email, "password": "wrong" if wrong else PASSWORD, "csrf": csrf}
    return int(client.send("POST", "/login", data=data).status_code)


KINDS: dict[str, Request] = {
    "sar_submissions": _sar,
    "link_guesses": _guess,
    "beacon_hits": _beacon,
    "sign_ins": _sign_in,
}


def _run_kind(
    base: str, request: Request, clients: int, total: int
) -> dict[str, object]:
    local = threading.local()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def one(n: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = Client(base)
        started = time.perf_counter()
        status = request(client, n)
        took = time.perf_counter() - started
        with lock:
            latencies.append(took)
            statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(total)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp) / "data")
        with open_store(settings) as store:
            for email in ("locked@staff.test", "ok@staff.test"):
                add_user(store, email=email, role="support_agent", password=PASSWORD)
        app = create_app(settings)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            base = f"http://127.0.0.1:{port}"
            results = {
                name: _run_kind(base, request, args.clients, args.requests)
                for name, request in KINDS.items()
            }
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            opened = getattr(app.state, "web_store", None)
            if opened is not None:
                opened.close()
    server_errors = sum(
        n
        for kind in results.values()
        for status, n in kind["statuses"].items()  # type: ignore[attr-defined]
        if status.startswith("5")
    )
    limited = "429" in results["sar_submissions"]["statuses"]  # type: ignore[operator]
    report = {
        "clients": args.clients,
        "kinds": results,
        "server_errors": server_errors,
        "sar_limit_answered_429": limited,
    }
    print(json.dumps(report, indent=2))
    return 0 if server_errors == 0 and limited else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
