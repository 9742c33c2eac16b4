"""Website analytics: views, referrers and ad clicks, read apart from identities.

Clauses: use.purposes.improve_websites_and_ads, scope.web_unlinked.
"""

from tutela.analytics.report import DayTotal, web_report

__all__ = [
    "DayTotal",
    "web_report",
]
