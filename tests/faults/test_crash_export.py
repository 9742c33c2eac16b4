"""SIGKILL an access-request export again and again while it builds: no case answered without its link.

Clauses rights.access (a verified request is answered with the complete
export) and rights.access.verification (the link goes to the verified
address only): whatever point a `tutela sar export` is killed at, the case
is never fulfilled (or rebuilt) without the mail that carries its link, and
a run to the end leaves a ready export whose zip decrypts; the audit log
still verifies.

It is killed `KILLS` times (``TUTELA_TEST_KILLS``: 5 by default, 20 in
`make test-long`), on SQLite and PostgreSQL. The kills are drawn with a
fixed seed from the duration of the runs that ended (the first from an
estimate); once one run has fulfilled the case, the later ones rebuild its
export, which is the same path.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import add_staff, enter_code, staff_env
from tests.faults.crash import gone, kills, run_cli
from tests.rights.conftest import add_call, add_person, message
from tests.tally import tried
from tutela.config import Settings
from tutela.rights.intake import intake_message
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import ExportBundle, OutboxMessage, SarCase, SarCaseEvent

KILLS = kills()  # TUTELA_TEST_KILLS: 5 by default, 20 in `make test-long`
MAX_ATTEMPTS = 3 * KILLS
CALLS = 150
SEED = 1319
FIRST_ESTIMATE_S = 4.0


def _verified_case(store: Store, settings: Settings) -> int:
    ann = add_person(store)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    for n in range(CALLS):
        add_call(
            store,
            ann.account_id,
            ann.phone,
            f"+1415555{n:04d}",
            start + dt.timedelta(hours=n),
            f"crash-export-{n}",
        )
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    with store.session() as session:
        bodies = list(session.scalars(select(OutboxMessage.body)))
    (code,) = [
        m.group(1) for b in bodies if (m := re.search(r"confirm: (\d{8})", b or ""))
    ]
    assert enter_code(store, settings, case_id, code).verified
    return case_id


def _answers_and_mails(store: Store, case_id: int) -> tuple[int, int]:
    """(fulfilments and rebuilds of the case, link mails queued for it)."""
    with store.session() as session:
        events = session.scalars(
            select(SarCaseEvent).where(SarCaseEvent.case_id == case_id)
        ).all()
        answers = sum(
            1
            for e in events
            if (e.to_state == "fulfilled" and e.from_state != "fulfilled")
            or e.note == "export_rebuilt"
        )
        mails = session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "sar_export"
            )
        ).all()
    return answers, len(mails)


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
@pytest.mark.clause("rights.access.verification")
def test_killed_exports_never_answer_a_case_without_its_link(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    case_id = _verified_case(store, settings)
    officer = add_staff(store)
    env = staff_env(settings, officer)
    argv = ["sar", "export", str(case_id), "--json"]
    log = tmp_path / "runs.log"
    assert run_cli(["--help"], env, log=log).exitcode == 0  # start the fork server
    rng = random.Random(SEED)
    took = FIRST_ESTIMATE_S
    landed = 0
    for _ in range(MAX_ATTEMPTS):
        if landed == KILLS:
            break
        started = time.monotonic()
        outcome = run_cli(argv, env, log=log, kill_after=rng.uniform(0.0, took))
        answers, mails = _answers_and_mails(store, case_id)
        assert answers == mails, f"{answers} answers but {mails} link mails"
        if not outcome.killed:
            assert outcome.exitcode == 0, log.read_text(errors="replace")[-2000:]
            took = time.monotonic() - started
            continue
        landed += 1
        assert gone(outcome.children) == []
    assert landed == KILLS, f"only {landed} kills landed while the export ran"
    final = run_cli(argv, env, log=log)
    assert final.exitcode == 0, log.read_text(errors="replace")[-2000:]
    answers, mails = _answers_and_mails(store, case_id)
    assert answers == mails >= 1
    blobs = BlobStore.in_data_dir(settings.data)
    with store.session() as session:
        case = session.get(SarCase, case_id)
        assert case is not None and case.state == "fulfilled"
        bundle = session.scalars(
            select(ExportBundle).where(ExportBundle.ref == case.export_ref)
        ).one()
        assert bundle.status == "ready" and bundle.blob_id is not None
        archive = zipfile.ZipFile(io.BytesIO(blobs.get(session, bundle.blob_id)))
        assert archive.testzip() is None and len(archive.namelist()) > 1
    verify = run_cli(["audit", "verify", "--json"], env, log=log)
    assert verify.exitcode == 0, log.read_text(errors="replace")[-2000:]
    tried("kills survived", landed)
