"""Legal holds: what the law makes a provider keep after the customer leaves.

Policy: "Kept while the business is a customer, then as the law requires"
(the `while_customer` retention of collect.requested, collect.volunteered
and collect.service_use categories). The law's part is configuration, not
code: `TUTELA_LEGAL_HOLDS` is a JSON list of holds, each naming a policy
category, the reason (the law or duty, e.g. tax record keeping) and its
end, either `days` after the event that would otherwise erase the data (the
account closing, an erasure request) or a fixed date `until`:

    [{"category": "payment", "reason": "tax records (26 CFR 1.6001-1)",
      "days": 2555}]

A held category is kept, and the erasure plan or the former-customer sweep
says so with the reason and the end; once the end has passed, the next
`tutela retention run` erases it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tutela.errors import InvalidInput


class LegalHold(BaseModel):
    """One category kept for a legal reason, until a time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=300)
    days: int | None = Field(default=None, gt=0, le=36500)
    until: dt.date | None = None

    @model_validator(mode="after")
    def _one_end(self) -> LegalHold:
        if (self.days is None) == (self.until is None):
            raise ValueError("give a hold exactly one end: 'days' or 'until'")
        return self

    def ends(self, since: dt.datetime) -> dt.datetime:
        """When the hold ends for data whose erasure was due at `since`."""
        if self.days is not None:
            return since + dt.timedelta(days=self.days)
        assert self.until is not None
        return dt.datetime.combine(self.until, dt.time(), tzinfo=dt.UTC)

    def describe(self, since: dt.datetime) -> dict[str, str]:
        return {"reason": self.reason, "until": self.ends(since).date().isoformat()}


def check_holds(holds: Sequence[LegalHold], categories: Collection[str]) -> None:
    """Every hold names a category of the policy (`InvalidInput` otherwise)."""
    for index, hold in enumerate(holds):
        if hold.category not in categories:
            raise InvalidInput(
                f"legal hold {index + 1} names category {hold.category!r}, which "
                f"the policy does not declare; use one of {sorted(categories)}",
                field="TUTELA_LEGAL_HOLDS",
            )


def hold_on(
    holds: Sequence[LegalHold],
    category: str,
    *,
    since: dt.datetime,
    now: dt.datetime,
) -> LegalHold | None:
    """The hold that still keeps `category` at `now` (the longest), if any."""
    running = [h for h in holds if h.category == category and h.ends(since) > now]
    return max(running, key=lambda h: h.ends(since), default=None)


__all__ = ["LegalHold", "check_holds", "hold_on"]
