"""Ad-service click exports: policy "ad clicks on other sites are recorded", without
the identifiers that would link a click to a person."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from tutela.collect.weblog import (
    DeviceClass,
    ExportedClick,
    Rejection,
    read_click_export,
    summarize,
)

DATA = Path(__file__).parents[1] / "web_data"
EXPORT = DATA / "google_ads_clicks.csv"


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_google_ads_style_export_is_read_after_its_title_rows() -> None:
    out = list(read_click_export(EXPORT))
    clicks = [o for o in out if isinstance(o, ExportedClick)]
    rejected = {(r.line, r.field) for r in out if isinstance(r, Rejection)}
    assert rejected == {(8, "day"), (9, "campaign"), (10, "clicks")}
    assert len(clicks) == 4  # the "Total: Account" row is not a click
    first = clicks[0]
    assert first.day == date(2024, 3, 1)
    assert (first.campaign, first.ad_group, first.ad_id) == (
        "Spring Sale",
        "VoIP Phones",
        "681234567890",
    )
    assert first.landing_path == "/pricing" and first.click_kind == "gclid"
    assert first.device is DeviceClass.DESKTOP and first.clicks == 1
    assert clicks[2].term == ":email"


@pytest.mark.clause("scope.web_unlinked")
def test_click_ids_and_user_locations_are_dropped() -> None:
    text = repr(list(read_click_export(EXPORT)))
    for dropped in ("EAIaIQobChMI", "Springfield", "Toronto", "jane.doe"):
        assert dropped not in text


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_column_order_delimiter_and_utf16_do_not_matter() -> None:
    rows = [
        ["Clicks", "Landing page", "Microsoft Click ID", "Campaign", "Date"],
        ["3", "https://www.example.com/features", "5e3b1c7f", "Brand", "03/02/2024"],
    ]
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    out = list(read_click_export(io.BytesIO(text.encode("utf-16")), name="bing.tsv"))
    assert out == [
        ExportedClick(
            day=date(2024, 3, 2),
            campaign="Brand",
            ad_group=None,
            ad_id=None,
            term=None,
            landing_path="/features",
            click_kind="msclkid",
            device=None,
            clicks=3,
        )
    ]


def test_export_without_a_header_is_one_rejection() -> None:
    out = list(read_click_export(io.BytesIO(b"a,b,c\n1,2,3\n"), name="x.csv"))
    assert out == [
        Rejection("x.csv", 0, "no header row with Date and Campaign columns", None)
    ]


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_summary_adds_rows_and_reimport_gives_the_same_keys() -> None:
    first = summarize(
        c for c in read_click_export(EXPORT) if isinstance(c, ExportedClick)
    )
    again = summarize(
        c for c in read_click_export(EXPORT) if isinstance(c, ExportedClick)
    )
    assert [c.clicks for c in first] == [2, 1, 2]
    assert [c.key for c in first] == [c.key for c in again]
    assert len({c.key for c in first}) == 3
