"""Path cleaning: policy "information collected from use of [the] websites is not
associated with any personally identifiable information"."""

from __future__ import annotations

import pytest

from tutela.collect.weblog import clean_path, clean_target, mask_ips, referrer_host


@pytest.mark.clause("scope.web_unlinked")
@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/unsubscribe/jane.doe@example.com", "/unsubscribe/:email"),
        ("/u/jane.doe%40example.com/settings", "/u/:email/settings"),
        ("/numbers/+1-555-010-4477", "/numbers/:phone"),
        ("/port/(555)%20010-4477/status", "/port/:phone/status"),
        ("/call/tel:+445550104477", "/call/:phone"),
        ("/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "/reset/:token"),
        ("/d/5d41402abc4b2a76b9719d911017c592", "/d/:token"),
        ("/invoice/3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f/pdf", "/invoice/:token/pdf"),
        ("/s/aGVsbG8gd29ybGQgdGhpcyBpcyBsb25n", "/s/:token"),
        ("/api/key=abc", "/api/:token"),
        ("/confirm/session=abc;x=1", "/confirm/:token"),
        ("/login;jsessionid=0AB12CD34EF", "/login"),
        ("/lookup/203.0.113.9", "/lookup/:ip"),
        ("/account?token=abc&sid=1&key=2&session=3&email=a@b.co", "/account"),
        (
            "/blog/small-business-phone-guide-2024",
            "/blog/small-business-phone-guide-2024",
        ),
        ("/features/call-recording/", "/features/call-recording/"),
        ("/blog/2024/03/10/hello", "/blog/2024/03/10/hello"),
        ("//double//slash", "/double/slash"),
        ("http://www.example.com/p?session=1", "/p"),
    ],
)
def test_identifying_segments_become_placeholders(target: str, path: str) -> None:
    assert clean_target(target).path == path


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_campaign_parameters_leave_the_path_for_attribution() -> None:
    cleaned = clean_target(
        "/pricing?utm_source=google&UTM_MEDIUM=cpc&utm_campaign=spring"
        "&utm_content=jane%40example.com&gclid=Cj0KCQ&page=2"
    )
    assert cleaned.path == "/pricing"
    assert dict(cleaned.campaign) == {
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "spring",
        "utm_content": ":email",
    }
    assert cleaned.click_kind == "gclid"
    assert "Cj0KCQ" not in repr(cleaned)


def test_long_paths_are_cut() -> None:
    assert clean_path("/" + "/a" * 100).endswith("/:truncated")
    assert len(clean_path("/" + "b" * 5000)) <= 1024


@pytest.mark.parametrize(
    ("referrer", "host"),
    [
        ("https://www.Google.com/search?q=jane", "www.google.com"),
        ("http://user:pw@example.org:8080/x", "example.org"),
        ("http://192.0.2.200/intranet", ":ip"),
        ("http://[2001:db8::1]/", ":ip"),
        ("-", None),
        ("", None),
        ("not a url at all", None),
    ],
)
def test_referrer_keeps_only_the_host(referrer: str, host: str | None) -> None:
    assert referrer_host(referrer) == host


def test_mask_ips_hides_both_address_families() -> None:
    text = "from 203.0.113.9 and 2001:db8::1 and ::ffff:192.0.2.1 at 12:30:45"
    assert mask_ips(text) == "from <ip> and <ip> and <ip> at 12:30:45"
