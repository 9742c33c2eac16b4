"""Subject access export: gather, render, bundle and deliver a subject's data.

Clauses: rights.access, rights.access.request, rights.access.verification,
rights.access.fee_or_reject, scope.web_unlinked, disclose.jurisdictions.
`export_case` builds the zip of a verified case (data.json, one CSV per
category, report.html, audio), fulfils the case and e-mails a single-use,
expiring link to the verified channel; `open_download` spends the link.
The schema of data.json is documented in docs/export.md.
"""

from tutela.rights.export.build import (
    Download,
    ExportResult,
    export_case,
    open_download,
    purge_expired,
)
from tutela.rights.export.bundle import ExportTooLarge, audio_types
from tutela.rights.export.links import DEFAULT_TTL, LinkUnusable, needs_factor
from tutela.rights.export.preview import preview_export
from tutela.rights.export.render import SCHEMA_VERSION

__all__ = [
    "DEFAULT_TTL",
    "Download",
    "ExportResult",
    "ExportTooLarge",
    "LinkUnusable",
    "SCHEMA_VERSION",
    "audio_types",
    "export_case",
    "needs_factor",
    "open_download",
    "preview_export",
    "purge_expired",
]
