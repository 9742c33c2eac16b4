"""Benchmark: does the answer to an access request take as long for a known address?

Clauses: rights.access.request, rights.access.verification. Prints one JSON
document. For the SMTP listener (time until the client has its 250) and the
web API (time until `POST /api/sar` has its 202), it sends requests from
addresses on file and from unknown addresses, alternately, against a
temporary SQLite store in the same run, waits (untimed) for the work after
the answer to finish, and reports each median and the ratio known/unknown
(target: within 0.90-1.10, i.e. the medians within 10%).

    .venv/bin/python bench/bench_intake_timing.py [ROUNDS]
"""

from __future__ import annotations

import json
import random
import smtplib
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import uvicorn
from sqlalchemy import select

from tutela.collect.accounts.contacts import add_person, open_account
from tutela.config import Settings
from tutela.rights.smtp_listener import FollowUps, controller
from tutela.store import Store, open_store
from tutela.store.models import SarCase, SarCaseEvent
from tutela.web.app import create_app

ROUNDS = 150


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def people(store: Store, n: int) -> list[str]:
    with store.session() as s:
        account = open_account(s, organization="Bench Example LLC", ref="BENCH-T")
        for i in range(n):
            add_person(
                s,
                account=account,
                role="contact",
                name=f"Bench Person {i}",
                email=f"known{i}@bench.example",
            )
    return [f"known{i}@bench.example" for i in range(n)]


def request_mail(sender: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["Authentication-Results"] = "mx.bench.example; spf=pass; dmarc=pass"
    msg["From"] = sender
    msg["To"] = "legal@jive.com"
    msg["Subject"] = "Subject Access Request"
    msg["Message-ID"] = f"<bench-{n}@bench.example>"
    msg.set_content("Please send me a copy of my personal information.")
    return bytes(msg)


def summary(known: list[float], unknown: list[float]) -> dict[str, float | int]:
    k, u = statistics.median(known), statistics.median(unknown)
    kq, uq = statistics.quantiles(known), statistics.quantiles(unknown)
    return {
        "known_median_ms": round(k * 1000, 3),
        "unknown_median_ms": round(u * 1000, 3),
        "known_iqr_ms": round((kq[2] - kq[0]) * 1000, 3),
        "unknown_iqr_ms": round((uq[2] - uq[0]) * 1000, 3),
        "ratio": round(k / u, 3),
        "within_10_percent": int(0.9 <= k / u <= 1.1),
        "samples": len(known) + len(unknown),
    }


def alternate(
    rounds: int, send: Callable[[str, int], None], settle: Callable[[], None]
) -> dict[str, float | int]:
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    order = random.Random(2018)  # which of each pair goes first: no order effect
    for pair in range(rounds):
        kinds = ["known", "unknown"]
        order.shuffle(kinds)
        for kind in kinds:
            address = f"{kind}{pair}@bench.example"
            started = time.perf_counter()
            send(address, pair * 2 + (kind == "unknown"))
            times[kind].append(time.perf_counter() - started)
            settle()
    return summary(times["known"], times["unknown"])


def bench_smtp(store: Store, settings: Settings, rounds: int) -> dict[str, float | int]:
    follow_ups = FollowUps()
    port = free_port()
    server = controller(store, settings, port=port, follow_ups=follow_ups)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.noop()  # warm up the connection and the policy cache

            def send(address: str, n: int) -> None:
                client.sendmail(address, ["legal@jive.com"], request_mail(address, n))

            def settle() -> None:
                follow_ups.drain()
                with store.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

            return alternate(rounds, send, settle)
    finally:
        server.stop()
        follow_ups.close()


def bench_web(store: Store, settings: Settings, rounds: int) -> dict[str, float | int]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/api/sar"

    def send(address: str, n: int) -> None:
        body = json.dumps({"email": address}).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as answer:
            answer.read()

    def settle() -> None:  # the background work finishes before the next request
        while True:
            with store.session() as s:
                waiting = s.scalar(
                    select(SarCase.id).where(SarCase.state == "received").limit(1)
                )
                unaudited = s.scalar(
                    select(SarCaseEvent.id)
                    .where(SarCaseEvent.audit_seq.is_(None))
                    .limit(1)
                )
            if waiting is None and unaudited is None:
                break
            time.sleep(0.005)
        # Checkpoint the write-ahead log now, so that the next request does
        # not pay for the writes of the one before (SQLite auto-checkpoints
        # on whichever commit crosses the threshold).
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    try:
        send("warm-up@bench.example", -1)
        settle()
        return alternate(rounds, send, settle)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        web_store = getattr(app.state, "web_store", None)
        if web_store is not None:
            web_store.close()


def main(rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp), sar_requests_per_hour=100_000)
        store = open_store(settings)
        try:
            people(store, rounds)
            smtp = bench_smtp(store, settings, rounds)
            web = bench_web(store, settings, rounds)
        finally:
            store.close()
    return {
        "rounds": rounds,
        "smtp_250": smtp,
        "web_202": web,
        "target": "known/unknown median ratio within 0.90-1.10",
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS)))
