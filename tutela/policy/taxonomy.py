"""Map the policy's categories and purposes onto shared privacy vocabularies.

fideslang's models only check the *format* of a key, so membership is checked
here against its default taxonomy; keys fideslang lacks (call records,
voicemail, ...) must be declared in the policy's `custom_taxonomy` under an
existing parent. The taxonomy's keys are a snapshot (`fideslang_keys.txt`,
naming the fideslang release it came from), so that fideslang, and the
pydantic releases it allows, are not needed at run time; the dev extra has
fideslang and a test checks the snapshot against it. DPV terms are checked
against a vendored list of DPV 2.0 terms, since the check must work offline.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tutela.policy.model import Policy

_DPV_FILE = Path(__file__).with_name("dpv_terms.txt")
FIDESLANG_FILE = Path(__file__).with_name("fideslang_keys.txt")


def _entries(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        s for s in (x.strip() for x in lines) if s and not s.startswith("#")
    )


@cache
def fideslang_keys() -> frozenset[str]:
    """Every data category and data use key of fideslang's default taxonomy (snapshot)."""
    return _entries(FIDESLANG_FILE)


@cache
def dpv_terms() -> frozenset[str]:
    return _entries(_DPV_FILE)


def taxonomy_problems(policy: Policy) -> list[str]:
    """Every fideslang key and DPV term of the policy that does not resolve."""
    problems: list[str] = []
    known = set(fideslang_keys())
    for custom in policy.meaning.custom_taxonomy:
        # Custom keys are processed in order, so a custom parent must come first.
        if custom.parent_key not in known:
            problems.append(
                f"custom fideslang key {custom.fides_key!r} has unknown parent "
                f"{custom.parent_key!r}"
            )
        if custom.fides_key in fideslang_keys():
            problems.append(
                f"custom fideslang key {custom.fides_key!r} already exists in the "
                "default taxonomy; use it directly"
            )
        known.add(custom.fides_key)
    terms = dpv_terms()
    owners = [("category", c.id, c.fides, c.dpv) for c in policy.meaning.categories]
    owners += [("purpose", p.id, p.fides, p.dpv) for p in policy.meaning.purposes]
    for kind, ident, fides, dpv in owners:
        for key in fides:
            if key not in known:
                problems.append(f"{kind} {ident!r}: {key!r} is not a fideslang key")
        for term in dpv:
            if term not in terms:
                problems.append(f"{kind} {ident!r}: {term!r} is not a known DPV term")
    return problems
