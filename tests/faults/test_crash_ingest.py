"""SIGKILL an ingest at random points, again and again per source: nothing lost, nothing twice.

Clauses collect.service_use.call_records ("every phone call": a killed
ingest loses no call and, run again, stores none twice),
collect.service_use.voicemail and collect.web_use.web_activity (the same for
voice mail and website visits), secure.measures (every run is in the audit
log, which still verifies).

For each source, one store gets a clean run; a second store gets the same
input with the command killed (SIGKILL, after a random delay drawn with a
fixed seed from the clean run's duration) `KILLS` times (``TUTELA_TEST_KILLS``:
5 by default, 20 in `make test-long`), then one run to
the end. The stores must then hold the same rows (compared by SQL: counts
of every table, keys of the collected ones), every killed run that had
started must show as ``interrupted``, none as ``running``, and `tutela audit
verify` must pass.

Each kill is on a small input, so 20 kills per source stay within the
suite's budget: the CDR file is read 100 records per transaction and parsed
in a second process (``--chunk-rows 100 --workers 2``), so a kill lands
between commits, during one, or with the parser mid-file, and a killed
ingest must not leave its parser behind either.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import (
    drop_postgres_database,
    fresh_sqlite_data,
    new_postgres_database,
)
from tests.faults.crash import (
    database_url,
    gone,
    kills,
    run_cli,
    runs,
    snapshot,
    timed_run,
)
from tests.tally import tried
from tutela.collect.accounts.contacts import open_account
from tutela.config import Settings
from tutela.demo.telephony import tone_wav
from tutela.store.blobs import BlobStore
from tutela.store.db import open_store
from tutela.store.models import Blob

KILLS = kills()  # TUTELA_TEST_KILLS: 5 by default, 20 in `make test-long`
MAX_ATTEMPTS = 3 * KILLS  # a run that ends before its kill is drawn again
SEED = 1313
CDR_ROWS = 800  # 8 commits of 100 records
CDR_CHUNK_ROWS = 100
VOICEMAILS = 20  # one commit each
WEB_LINES = 400  # one commit for the whole file


@dataclass(frozen=True)
class Twin:
    """Two empty stores on one backend: one for a clean run, one to kill."""

    clean: Settings
    crashed: Settings


def _env(settings: Settings) -> dict[str, str]:
    env = {"TUTELA_DATA": str(settings.data)}
    if settings.database_url:
        env["TUTELA_DATABASE_URL"] = settings.database_url
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def twin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Twin]:
    made = []
    for name in ("clean", "crashed"):
        data = tmp_path / name
        url = None
        if request.param == "postgresql":
            postgres = request.getfixturevalue("postgres")
            url = new_postgres_database(
                postgres, request.getfixturevalue("postgres_template")
            )
            request.addfinalizer(partial(drop_postgres_database, postgres, url))
        else:
            fresh_sqlite_data(data, request.getfixturevalue("sqlite_template"))
        settings = Settings(data=data, database_url=url)
        with open_store(settings) as store, store.session() as session:
            open_account(session, organization="Crash Test Telecom", ref="CRASH")
        made.append(settings)
    yield Twin(*made)


def _cdr_file(path: Path, rows: int) -> Path:
    lines = []
    for n in range(rows):
        minute, second = divmod(n, 60)
        hour, minute = divmod(minute, 60)
        day = 1 + (hour // 24) % 28
        stamp = f"2024-03-{day:02d} {hour % 24:02d}:{minute:02d}:{second:02d}"
        lines.append(
            f'"CRASH","+1555555{n % 10000:04d}","{2000 + n % 50}","from-internal",'
            f'"""Test Caller"" <+1555555{n % 10000:04d}>","PJSIP/trunk-{n:08x}",'
            f'"PJSIP/{2000 + n % 50}-{n:08x}","Dial","PJSIP/2001,30",'
            f'"{stamp}","{stamp}","{stamp}",{n % 600},{n % 590},"ANSWERED",'
            f'"DOCUMENTATION","1709283600.{n}",""'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _spool(root: Path, messages: int) -> Path:
    for n in range(messages):
        box = root / "CRASH" / f"{1000 + n % 5}" / "INBOX"
        box.mkdir(parents=True, exist_ok=True)
        when = 1709283600 + 60 * n
        (box / f"msg{n:04d}.txt").write_text(
            "[message]\n"
            f"origmailbox={1000 + n % 5}\ncontext=CRASH\nexten={1000 + n % 5}\n"
            'callerid="Test Caller" <3003>\n'
            f"origtime={when}\nmsg_id={when}-{n:08d}\nduration=2\n",
            encoding="utf-8",
        )
        (box / f"msg{n:04d}.wav").write_bytes(tone_wav(0.05, hz=300 + n))
    return root


def _weblog(path: Path, lines: int) -> Path:
    out = []
    for n in range(lines):
        minute, second = divmod(n, 60)
        page = f"/pricing?utm_source=ads&utm_campaign=c{n % 3}&" if n % 7 == 0 else "/?"
        out.append(
            f"203.0.113.{n % 250} - - [10/Mar/2024:{(minute // 60) % 24:02d}:"
            f'{minute % 60:02d}:{second:02d} +0000] "GET {page}n={n} HTTP/1.1" 200 512 '
            f'"https://search.example/" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) '
            f'Gecko/20100101 Firefox/123.0"'
        )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _kill_repeatedly(
    argv: list[str], twin: Twin, tmp_path: Path, *, seed: int
) -> list[tuple[str, str]]:
    """The clean run, then `KILLS` killed runs and one to the end; the runs."""
    log = tmp_path / "runs.log"
    clean_env, crash_env = _env(twin.clean), _env(twin.crashed)
    took = timed_run([*argv, "--data", str(twin.clean.data)], clean_env, log=log)
    rng = random.Random(seed)
    url = database_url(twin.crashed.data, crash_env)
    landed = 0
    started_rows: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        if landed == KILLS:
            break
        before = len(runs(url))
        outcome = run_cli(
            [*argv, "--data", str(twin.crashed.data)],
            crash_env,
            log=log,
            kill_after=rng.uniform(0.0, took),
        )
        if not outcome.killed:  # it ended first: it must have ended well
            assert outcome.exitcode == 0, log.read_text(errors="replace")[-2000:]
            continue
        landed += 1
        # A killed CDR ingest must not leave its parsing process behind.
        assert gone(outcome.children) == [], "a killed ingest left its children"
        after = runs(url)
        started_rows.extend(
            i for i in range(before, len(after)) if after[i][1] == "running"
        )
    assert landed == KILLS, f"only {landed} kills landed while the command ran"
    final = run_cli([*argv, "--data", str(twin.crashed.data)], crash_env, log=log)
    assert final.exitcode == 0, log.read_text(errors="replace")[-2000:]
    recorded = runs(url)
    assert all(status in ("done", "interrupted") for _, status in recorded), recorded
    for index in started_rows:
        assert recorded[index][1] == "interrupted", (index, recorded)
    assert recorded[-1][1] == "done"
    verify = run_cli(
        ["audit", "verify", "--json", "--data", str(twin.crashed.data)],
        crash_env,
        log=log,
    )
    assert verify.exitcode == 0, log.read_text(errors="replace")[-2000:]
    tried("kills survived", landed)
    return recorded


def _compare(twin: Twin, keys: dict[str, list[str]]) -> None:
    clean = snapshot(database_url(twin.clean.data, _env(twin.clean)), keys)
    crashed = snapshot(database_url(twin.crashed.data, _env(twin.crashed)), keys)
    assert crashed == clean


@pytest.mark.clause("collect.service_use.call_records")
def test_killed_cdr_ingests_end_with_the_calls_of_a_clean_run(
    twin: Twin, tmp_path: Path
) -> None:
    cdr = _cdr_file(tmp_path / "big.csv", CDR_ROWS)
    argv = ["ingest", "cdr", str(cdr), "--format", "asterisk-csv", "--json"]
    argv += ["--chunk-rows", str(CDR_CHUNK_ROWS), "--workers", "2"]
    recorded = _kill_repeatedly(argv, twin, tmp_path, seed=SEED)
    assert any(status == "interrupted" for _, status in recorded)
    _compare(twin, {"call_records": ["dedupe_key", "account_id", "duration_s"]})


def _blob_files(data: Path) -> set[str]:
    root = data / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.clause("collect.service_use.voicemail")
def test_killed_voicemail_ingests_end_with_the_messages_of_a_clean_run(
    twin: Twin, tmp_path: Path
) -> None:
    spool = _spool(tmp_path / "spool", VOICEMAILS)
    argv = ["ingest", "voicemail", str(spool), "--json"]
    _kill_repeatedly(argv, twin, tmp_path, seed=SEED + 1)
    _compare(
        twin,
        {
            "voicemails": ["dedupe_key", "mailbox", "duration_s"],
            "blobs": ["size", "media_type"],
        },
    )
    # Every stored message's audio is whole: its file is there and decrypts.
    blobs = BlobStore.in_data_dir(twin.crashed.data)
    with open_store(twin.crashed) as store, store.session() as session:
        rows = {i: k for i, k in session.execute(select(Blob.id, Blob.wrapped_key))}
        live = {blob_id for blob_id, key in rows.items() if key is not None}
        for blob_id in live:
            assert blobs.get(session, blob_id)
    # A file written by a run killed before its commit has no row, so no key
    # anywhere: noise nobody can decrypt, never a readable leftover.
    leftovers = _blob_files(twin.crashed.data) - live
    assert not {name.removesuffix(".tmp") for name in leftovers} & set(rows)


@pytest.mark.clause("collect.web_use.web_activity")
def test_killed_weblog_ingests_end_with_the_visits_of_a_clean_run(
    twin: Twin, tmp_path: Path
) -> None:
    log_file = _weblog(tmp_path / "access.log", WEB_LINES)
    argv = ["ingest", "weblog", str(log_file), "--site", "www.example", "--json"]
    argv += ["--no-country"]  # the country database load would dominate each run
    # The same day's salt in both stores, so visitor hashes can be compared.
    warm = run_cli(
        [*argv[:2], str(_weblog(tmp_path / "one.log", 1)), *argv[3:]]
        + ["--data", str(twin.clean.data)],
        _env(twin.clean),
        log=tmp_path / "warm.log",
    )
    assert warm.exitcode == 0
    shutil.copytree(twin.clean.data / "salts", twin.crashed.data / "salts")
    _kill_repeatedly(argv, twin, tmp_path, seed=SEED + 2)
    _compare(twin, {"web_visits": ["dedupe_key"], "ad_clicks": ["dedupe_key"]})
