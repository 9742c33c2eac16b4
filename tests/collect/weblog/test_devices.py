"""Device classes and bots: the website records visits of people, not robots, and
keeps only a coarse device class of each."""

from __future__ import annotations

import pytest

from tutela.collect.weblog import DeviceClass, device_class, is_bot

UAS = {
    "win_firefox": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Firefox/123.0",
    "mac_chrome": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/122.0",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) Mobile/15E148",
    "android_phone": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome Mobile Safari",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) Mobile/15E148",
    "android_tablet": "Mozilla/5.0 (Linux; Android 13; SM-X710) Chrome/122 Safari",
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl": "curl/8.5.0",
    "headless": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/122.0 Safari/537.36",
    "fridge": "SmartFridge/1.0",
}


@pytest.mark.clause("collect.web_use.web_activity")
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("win_firefox", DeviceClass.DESKTOP),
        ("mac_chrome", DeviceClass.DESKTOP),
        ("iphone", DeviceClass.MOBILE),
        ("android_phone", DeviceClass.MOBILE),
        ("ipad", DeviceClass.TABLET),
        ("android_tablet", DeviceClass.TABLET),
        ("googlebot", DeviceClass.BOT),
        ("curl", DeviceClass.BOT),
        ("headless", DeviceClass.BOT),
        ("fridge", DeviceClass.OTHER),
    ],
)
def test_user_agents_map_to_coarse_classes(name: str, expected: DeviceClass) -> None:
    assert device_class(UAS[name]) is expected


@pytest.mark.parametrize("agent", [None, "", "  ", "-", "python-requests/2.31"])
def test_missing_or_scripted_agents_are_bots(agent: str | None) -> None:
    assert is_bot(agent)
    assert device_class(agent) is DeviceClass.BOT
