"""The policy's headings are recognised however mail clients mangle them."""

from __future__ import annotations

import pytest

from tutela.rights.headings import normalise, route_of


@pytest.mark.clause("rights.access.request")
@pytest.mark.parametrize(
    "subject",
    [
        "Subject Access Request",
        "subject access request",
        "  Subject   Access\tRequest ",
        "Re: Subject Access Request",
        "RE[2]: Re: Subject Access Request",
        "Fwd: FW: Subject Access Request",
        "AW: WG: Subject Access Request",
        "SV: Subject Access Request",
        "[EXT] Re: Subject Access Request",
        "“Subject Access Request”",
        "Subject Access Request – Müller",
        "Subject Access Request: account 12",
        "ＳＵＢＪＥＣＴ ＡＣＣＥＳＳ ＲＥＱＵＥＳＴ",
    ],
)
def test_access_heading_is_matched_robustly(subject: str) -> None:
    assert route_of(subject) == "access_request"


@pytest.mark.clause("changes.subscribe")
def test_policy_updates_heading_routes_to_subscriptions() -> None:
    assert route_of("Re:  request for privacy policy UPDATES") == "policy_updates"


@pytest.mark.parametrize(
    "subject",
    [
        "Subject Access Requests are cool",
        "About my Subject Access Request",
        "Hello",
        "",
    ],
)
def test_other_subjects_go_to_the_general_inbox(subject: str) -> None:
    assert route_of(subject) == "general"


@pytest.mark.clause("rights.access.request")
def test_body_first_line_counts_when_subject_does_not() -> None:
    assert route_of("", ["", "Subject Access Request", "more"]) == "access_request"
    assert route_of("Hi", ["Hello", "Subject Access Request"]) == "general"


def test_normalise_strips_prefixes_repeatedly() -> None:
    assert normalise("Re: Fwd: AW:  X  Y") == "x y"
