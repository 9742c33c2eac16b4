"""Website analytics: views, referrers and ad clicks, read apart from identities.

Clauses: use.purposes.improve_websites_and_ads, scope.web_unlinked.
"""
