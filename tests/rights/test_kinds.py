"""Erasure and correction requests are told apart by their heading (rights.access.request)."""

from __future__ import annotations

import pytest

from tutela.errors import InvalidInput
from tutela.rights.kinds import check_kind, request_kind


@pytest.mark.clause("rights.access.request")
@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Request for Deletion of Personal Data", "erasure"),
        ("RE: Erasure Request", "erasure"),
        ("erasure request: account 12", "erasure"),
        ("Fwd: [EXT] Request to Delete", "erasure"),
        ("Right to erasure (GDPR Art. 17)", "erasure"),
        ("Correction Request", "correction"),
        ("Request for Rectification - wrong address", "correction"),
        ("Subject Access Request", None),
        ("Erasure requests in general: how long do they take?", None),
        ("Question about deletion", None),
        ("", None),
    ],
)
def test_the_heading_says_what_a_request_asks_for(
    subject: str, kind: str | None
) -> None:
    assert request_kind(subject) == kind


@pytest.mark.clause("rights.access.request")
def test_the_first_body_line_counts_when_the_subject_is_generic() -> None:
    assert request_kind("hello", ["", "Correction Request", "my name is wrong"]) == (
        "correction"
    )
    assert request_kind("hello", ["hi", "Correction Request"]) is None


def test_a_kind_field_is_checked() -> None:
    assert check_kind(None) == "access"
    assert check_kind(" Erasure ") == "erasure"
    with pytest.raises(InvalidInput, match="kind"):
        check_kind("delete-all")
