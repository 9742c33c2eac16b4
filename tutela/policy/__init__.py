"""The privacy policy as data: its model, loader, renderer and vocabularies.

Clauses: every clause of the policy is a `Clause` of the loaded `Policy`;
changes.notify (`render` rebuilds the published text from the data).
Pure: imports only `tutela.errors`. Other packages import the policy through
these names, never through its modules (`tests/test_exports.py`).
"""

from tutela.policy.datamap import data_map, diagram_svg
from tutela.policy.loader import (
    DEFAULT_POLICY,
    MAX_POLICY_BYTES,
    load_policy,
    load_policy_cached,
    parse_policy,
)
from tutela.policy.model import (
    AccessRequest,
    Category,
    ChangeProcedure,
    Clause,
    Meaning,
    Notice,
    Policy,
    Prohibition,
    Purpose,
    Recipient,
    RecipientKind,
    Retention,
    RetentionRule,
    Source,
)
from tutela.policy.render import render, render_body, render_html, render_markdown
from tutela.policy.taxonomy import dpv_terms, fideslang_keys, taxonomy_problems
from tutela.policy.wording import wording_problems

__all__ = [
    "AccessRequest",
    "Category",
    "ChangeProcedure",
    "Clause",
    "DEFAULT_POLICY",
    "MAX_POLICY_BYTES",
    "Meaning",
    "Notice",
    "Policy",
    "Prohibition",
    "Purpose",
    "Recipient",
    "RecipientKind",
    "Retention",
    "RetentionRule",
    "Source",
    "data_map",
    "diagram_svg",
    "dpv_terms",
    "fideslang_keys",
    "load_policy",
    "load_policy_cached",
    "parse_policy",
    "render",
    "render_body",
    "render_html",
    "render_markdown",
    "taxonomy_problems",
    "wording_problems",
]
