"""Ad clicks: policy "ad clicks on other sites are recorded", honouring Global Privacy
Control, and never linked to a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela.collect.weblog import (
    AdClick,
    MemorySaltStore,
    Visit,
    WebLogPipeline,
    read_log,
)

DATA = Path(__file__).parents[1] / "web_data"
SITE = "www.example.com"


def _run(name: str) -> tuple[WebLogPipeline, list[object]]:
    pipeline = WebLogPipeline(MemorySaltStore())
    return pipeline, list(pipeline.process(read_log(DATA / name, site=SITE)))


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_landing_urls_become_ad_clicks_without_click_id_values() -> None:
    _, out = _run("access.log")
    clicks = [o for o in out if isinstance(o, AdClick)]
    summary = {(c.landing_path, c.click_kind, c.source, c.campaign) for c in clicks}
    assert summary == {
        ("/pricing", "gclid", "google", "spring_sale"),
        ("/", "msclkid", "bing", "brand"),
        ("/features/call-routing", "fbclid", None, None),
        ("/webinar", None, "newsletter", "march"),
    }
    gclid = next(c for c in clicks if c.click_kind == "gclid")
    assert (gclid.medium, gclid.term) == ("cpc", "voip phones")
    newsletter = next(c for c in clicks if c.source == "newsletter")
    assert newsletter.content == ":email"
    text = repr(out)
    for click_id in ("EAIaIQobChMI8q3", "5e3b1c7f0a9d4e2b", "IwAR2x7Q", "jane.doe"):
        assert click_id not in text


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_each_ad_click_follows_its_visit_with_the_same_keys() -> None:
    _, out = _run("access.log")
    for index, item in enumerate(out):
        if isinstance(item, AdClick):
            visit = out[index - 1]
            assert isinstance(visit, Visit)
            assert item.visitor_hash == visit.visitor_hash
            assert item.dedupe_key == visit.dedupe_key
            assert item.landing_path == visit.path
            assert "utm_" not in visit.path and "clid" not in visit.path


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_global_privacy_control_suppresses_attribution_but_not_the_visit() -> None:
    pipeline, out = _run("access_gpc.log")
    visits = [o for o in out if isinstance(o, Visit)]
    clicks = [o for o in out if isinstance(o, AdClick)]
    assert len(visits) == 5
    # Line 2 has the same ad landing with Sec-GPC "-": only it is attributed.
    assert len(clicks) == 1
    assert clicks[0].dedupe_key == visits[1].dedupe_key
    assert pipeline.counts.gpc_suppressed == 2
    assert pipeline.counts.ad_clicks == 1
    assert {v.path for v in visits} == {"/pricing", "/", "/features"}
