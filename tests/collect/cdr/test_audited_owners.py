"""A CDR run reads its owners through the purpose gate: audited, per chunk, no values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.collect.cdr.test_ingest import _account, row
from tutela.audit.log import audit_log
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.store.db import Store
from tutela.store.models import AuditEntry

NUMBER = "4155550123"  # as dialled; stored +14155550123
E164 = "+14155550123"


def grants(
    store: Store, after: int
) -> list[tuple[str, str | None, str, dict[str, object]]]:
    with store.session() as s:
        found = s.execute(
            select(
                AuditEntry.actor,
                AuditEntry.purpose,
                AuditEntry.subjects,
                AuditEntry.details,
            )
            .where(AuditEntry.seq > after, AuditEntry.action == "use.grant")
            .order_by(AuditEntry.seq)
        ).all()
    return [(a, p, subjects, json.loads(d)) for a, p, subjects, d in found]


def every_entry_text(store: Store) -> str:
    with store.session() as s:
        found = s.execute(
            select(AuditEntry.actor, AuditEntry.subjects, AuditEntry.details)
        ).all()
    return "\n".join(" ".join(map(str, entry)) for entry in found)


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes")
@pytest.mark.clause("secure.measures")
@pytest.mark.clause("collect.service_use.call_records")
def test_an_ingest_run_audits_its_owner_reads_with_counts_not_values(
    store: Store, tmp_path: Path
) -> None:
    _account(store, ref="ACME", number=NUMBER)
    seq = audit_log(store).head()[0]
    # Six calls in three chunks of two; none names an account by accountcode,
    # so each chunk's new refs and numbers are read, once per chunk at most.
    lines = [
        row(
            code="", src=NUMBER, dst=f"41555501{n:02d}", uid=f"17.{n}", linked=f"17.{n}"
        )
        for n in range(40, 46)
    ]
    path = tmp_path / "Master.csv"
    path.write_text("".join(lines), encoding="utf-8")
    summary = ingest_cdr(store, path, format="asterisk-csv", chunk_rows=2, workers=1)
    assert (summary.stored, summary.rejected) == (6, 0)
    found = grants(store, seq)
    assert 1 <= len(found) <= 3  # a read per chunk with new numbers, not per row
    for actor, purpose, subjects, details in found:
        assert (actor, purpose) == ("system:collect", "deliver_services")
        assert subjects == "[]"
        assert details["categories"] == ["phone_numbers"]
        assert details["tables"] == ["accounts", "phone_numbers"]
        assert isinstance(details["rows"], int)
    assert sum(int(str(d["rows"])) for *_, d in found) == 1  # the one known number
    # Counts, never the numbers looked up.
    text = every_entry_text(store)
    assert E164 not in text and "555" not in text


@pytest.mark.clause("use.purposes")
def test_a_rerun_of_known_owners_reads_them_again_and_stores_nothing(
    store: Store, tmp_path: Path
) -> None:
    _account(store, ref="ACME")
    path = tmp_path / "Master.csv"
    path.write_text(row() + row(uid="2.1", linked="2.1"), encoding="utf-8")
    ingest_cdr(store, path, format="asterisk-csv", workers=1)
    seq = audit_log(store).head()[0]
    again = ingest_cdr(store, path, format="asterisk-csv", workers=1)
    assert (again.stored, again.duplicate) == (0, 2)
    ((actor, purpose, _, details),) = grants(store, seq)
    assert (actor, purpose) == ("system:collect", "deliver_services")
    assert details == {"categories": [], "rows": 1, "tables": ["accounts"]}
    assert audit_log(store).verify().ok
