"""Coarse device classes: the only thing kept of a visitor's user agent.

Policy: "information collected from use of [the] websites is not associated
with any personally identifiable information." A full user-agent string is a
fingerprinting aid, so a visit keeps only one of five classes: desktop,
mobile, tablet, bot or other. The user agent itself goes into the keyed
visitor hash (with the daily salt) and is then dropped.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from tutela.collect.weblog.bots import is_bot


class DeviceClass(StrEnum):
    """The coarse kind of device a hit came from."""

    DESKTOP = "desktop"
    MOBILE = "mobile"
    TABLET = "tablet"
    BOT = "bot"
    OTHER = "other"


_TABLET = re.compile(r"ipad|tablet|kindle|silk/|playbook|nexus (?:7|9|10)|sm-t\d|tab\b")
_MOBILE = re.compile(
    r"mobi|iphone|ipod|windows phone|opera mini|blackberry|bb10|iemobile|"
    r"android.*mobile|webos|kaios"
)
_DESKTOP = re.compile(r"windows nt|macintosh|mac os x|x11|linux x86_64|cros|ubuntu")


@lru_cache(maxsize=8192)
def device_class(user_agent: str | None) -> DeviceClass:
    """Classify a user agent; unknown or empty strings are ``other`` or ``bot``.

    iPadOS 13+ sends a desktop Safari user agent and is counted as desktop.
    """
    if is_bot(user_agent):
        return DeviceClass.BOT
    assert user_agent is not None  # is_bot() is True for None
    ua = user_agent.lower()
    if _TABLET.search(ua) or ("android" in ua and "mobile" not in ua):
        return DeviceClass.TABLET
    if _MOBILE.search(ua):
        return DeviceClass.MOBILE
    if _DESKTOP.search(ua):
        return DeviceClass.DESKTOP
    return DeviceClass.OTHER
