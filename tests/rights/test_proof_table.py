"""docs/verification.md prints the proof table the code reads (`tutela.rights.proof`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela.rights.proof import PROOF, Action, Level, require

DOC = Path(__file__).resolve().parents[2] / "docs" / "verification.md"
ROWS = {
    "access: categories": Action.access_categories,
    "access: a copy": Action.access_copy,
    "correction of other data (name, postal address)": Action.correct_other,
    "correction of a contact point (e-mail, phone)": Action.correct_contact,
    "erasure": Action.erasure,
    "subscription change": Action.subscription,
}


def _table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The table", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ROWS:
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.clause("rights.access.verification")
def test_the_documented_table_is_the_table_the_code_reads() -> None:
    rows = _table()
    assert set(rows) == set(ROWS)
    for label, action in ROWS.items():
        rule = PROOF[action]
        level, factors, notice, waits, why = rows[label]
        assert level == rule.level.name, label
        assert factors == ", ".join(rule.factors), label
        assert notice == (rule.notice or "-"), label
        assert waits == (rule.waits or "-"), label
        assert why == rule.why, label


@pytest.mark.clause("rights.access.verification")
def test_what_destroys_or_redirects_data_needs_more_than_what_reads_it() -> None:
    reading = max(
        PROOF[a].level for a in (Action.access_copy, Action.access_categories)
    )
    for action in (Action.erasure, Action.correct_contact):
        assert PROOF[action].level > reading
        assert PROOF[action].notice is not None
        with pytest.raises(Exception, match="needs high proof"):
            require(action, Level.reasonable, case_id=1)
    require(Action.access_copy, Level.reasonable, case_id=1)
