"""Legal deadlines for a subject access request, by the subject's jurisdiction.

Clause: rights.access (a subject "can access the personal information"; the
law of the subject's jurisdiction says how fast).

| rule     | where                         | confirm               | respond            | extension                                  |
| -------- | ----------------------------- | --------------------- | ------------------ | ------------------------------------------ |
| `gdpr`   | EU/EEA countries, GB          | -                     | one calendar month | up to two further months, notice + reasons within the first month |
| `ccpa`   | US-CA                         | 10 business days      | 45 calendar days   | up to 45 more days, notice within the first 45 |
| `us`     | other US (state privacy laws) | -                     | 45 calendar days   | up to 45 more days, notice within the first 45 |
| `pipeda` | CA and CA-xx (Canada)         | -                     | 30 calendar days   | up to 30 more days, notice within the first 30 |
| `strict` | unknown subject               | -                     | 30 calendar days   | none                                       |

Periods run from the moment the request was received. "One month" ends on
the same day of the next month, or the month's last day when it has none
(31 January -> 28/29 February). Business days skip Saturdays and Sundays;
public holidays are not modelled (this only makes the deadline earlier).
An unknown subject gets the shortest period of all rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI "
    "ES SE IS LI NO GB".split()
)

DUE_SOON = dt.timedelta(days=7)


@dataclass(frozen=True)
class DeadlineRule:
    name: str
    law: str
    respond_days: int | None
    respond_months: int | None
    extension_days: int | None
    extension_months: int | None
    confirm_business_days: int | None = None

    def respond_by(self, received: dt.datetime) -> dt.datetime:
        return _after(received, self.respond_days, self.respond_months)

    def confirm_by(self, received: dt.datetime) -> dt.datetime | None:
        if self.confirm_business_days is None:
            return None
        return add_business_days(received, self.confirm_business_days)

    def latest_extension(self, received: dt.datetime) -> dt.datetime | None:
        """The furthest a notified extension may push the deadline."""
        if self.extension_days is None and self.extension_months is None:
            return None
        base = self.respond_by(received)
        return _after(base, self.extension_days, self.extension_months)


RULES: dict[str, DeadlineRule] = {
    "gdpr": DeadlineRule("gdpr", "GDPR art. 12(3)", None, 1, None, 2),
    "ccpa": DeadlineRule(
        "ccpa", "CCPA §1798.130; CCPA regs §7021", 45, None, 45, None, 10
    ),
    "us": DeadlineRule("us", "US state privacy laws", 45, None, 45, None),
    "pipeda": DeadlineRule("pipeda", "PIPEDA s. 8(3)-(4)", 30, None, 30, None),
    "strict": DeadlineRule(
        "strict", "shortest of all rules (subject unknown)", 30, None, None, None
    ),
}


def rule_for(jurisdiction: str | None) -> DeadlineRule:
    """The deadline rule for an ISO 3166 country or subdivision code (or None)."""
    if not jurisdiction:
        return RULES["strict"]
    code = jurisdiction.strip().upper()
    country = code.split("-", 1)[0]
    if code == "US-CA":
        return RULES["ccpa"]
    if country == "US":
        return RULES["us"]
    if country == "CA":
        return RULES["pipeda"]
    if country in EEA or country in ("UK", "EU"):  # EU: the web form's choice
        return RULES["gdpr"]
    return RULES["strict"]


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """Same day `months` later, clamped to the month's last day."""
    month_index = when.month - 1 + months
    year = when.year + month_index // 12
    month = month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def add_business_days(when: dt.datetime, days: int) -> dt.datetime:
    out = when
    left = days
    while left > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            left -= 1
    return out


def _after(base: dt.datetime, days: int | None, months: int | None) -> dt.datetime:
    if months is not None:
        return add_months(base, months)
    return base + dt.timedelta(days=days or 0)


def status_of(
    respond_by: dt.datetime, now: dt.datetime, *, soon: dt.timedelta = DUE_SOON
) -> str:
    """'overdue', 'due_soon' or 'on_time' for an open case."""
    if now > respond_by:
        return "overdue"
    if respond_by - now <= soon:
        return "due_soon"
    return "on_time"
