"""Tests for tutela.collect.cdr.asterisk_custom.

Clause: collect.service_use.call_records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutela.collect.cdr import CdrRecord, asterisk_csv, asterisk_custom
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "data"
CALLS = pytest.mark.clause("collect.service_use.call_records")


@CALLS
def test_legacy_mapping_reads_clid_first_and_quoted_numbers() -> None:
    path = DATA / "asterisk_custom_master.csv"
    items = list(asterisk_custom.parse(path, source_name=path.name))
    answered, unanswered, unknown = items
    assert isinstance(answered, CdrRecord)
    assert answered.clid_raw == '"Alice Example" <+15555550100>'
    assert (answered.src_raw, answered.dst_raw, answered.duration_s) == (
        "+15555550100",
        "2001",
        65,
    )
    assert answered.accountcode == "acct1"
    assert answered.answer == datetime(2024, 3, 1, 9, 0, 5, tzinfo=UTC)
    assert answered.dedupe_key == "ast:1709283600.1:12"
    assert isinstance(unanswered, CdrRecord)
    assert unanswered.answer is None
    # The high-resolution variant writes fractions; they are cut to seconds.
    assert (unanswered.duration_s, unanswered.billsec_s) == (20, 0)
    # Asterisk writes UNKNOWN for any other state: still a call, so kept.
    assert isinstance(unknown, CdrRecord)
    assert (unknown.line, unknown.disposition) == (3, "UNKNOWN")


def test_custom_and_csv_files_are_not_mistaken_for_each_other() -> None:
    with pytest.raises(InvalidInput):
        list(asterisk_custom.parse(DATA / "asterisk_csv_18.csv", source_name="m"))
    with pytest.raises(InvalidInput):
        list(asterisk_csv.parse(DATA / "asterisk_custom_master.csv", source_name="m"))
