"""The published policy: HTML for people, Markdown and JSON for machines.

Policy: "Please check this page regularly for updates." (changes.check_regularly)
and changes.may_change: `/policy/versions` (and `/api/policy/versions`) list
every version published with `tutela policy publish`, newest first, with when
it took effect and what it changed; `/policy/versions/ID` (and `ID.yaml`)
keep each one readable at a stable address. Who published it and how many
people were told stay internal (`tutela policy versions`).

changes.effective_on_publication: `/`, `/policy`, `/policy.md` and
`/api/policy` serve the policy in effect (the latest published version, else
the policy file: `tutela.store.policy_in_effect`); the footer names the
version served and its effective date.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from tutela.changes.versions import (
    StoredVersion,
    VersionView,
    published_versions,
    stored_version,
)
from tutela.errors import NotFound
from tutela.policy import Policy, parse_policy, render_body, render_markdown
from tutela.store import InEffect
from tutela.web._pages import render
from tutela.web._webstore import WebStoreDep
from tutela.web.deps import PolicyDep

router = APIRouter(tags=["policy"])


class MarkdownResponse(PlainTextResponse):
    """Markdown text; declared as such in the OpenAPI schema too."""

    media_type = "text/markdown"


def _effective_note(current: InEffect) -> str:
    policy = current.policy
    if current.effective_at is None:
        return f"Version {policy.id}, effective {policy.published.isoformat()}."
    return (
        f"Version {policy.id}, effective since "
        f"{current.effective_at:%Y-%m-%d %H:%M} UTC."
    )


def _policy_page(policy: Policy, note: str, *, earlier: bool = False) -> HTMLResponse:
    return render(
        "policy_page.html",
        policy=policy,
        body=render_body(policy),
        org=policy.short_name,
        in_effect=note,
        earlier=earlier,
    )


@router.get("/", response_class=HTMLResponse)
@router.get("/policy", response_class=HTMLResponse)
def read_policy_page(store: WebStoreDep) -> HTMLResponse:
    """The policy in effect; the footer says which version and since when."""
    current = store.policy_in_effect()
    return _policy_page(current.policy, _effective_note(current))


@router.get("/policy.md", response_class=MarkdownResponse)
def read_policy_markdown(policy: PolicyDep) -> MarkdownResponse:
    return MarkdownResponse(render_markdown(policy))


@router.get("/api/policy")
def read_policy(policy: PolicyDep) -> dict[str, Any]:
    return {
        "ok": True,
        "id": policy.id,
        "title": policy.title,
        "published": policy.published.isoformat(),
        "clauses": [{"id": c.id, "text": c.text} for c in policy.clauses()],
        "categories": [c.model_dump(mode="json") for c in policy.meaning.categories],
        "purposes": [p.model_dump(mode="json") for p in policy.meaning.purposes],
        "recipients": [r.model_dump(mode="json") for r in policy.meaning.recipients],
    }


def _public(view: VersionView) -> dict[str, Any]:
    return {
        "version": view.version,
        "sha256": view.sha256,
        "previous_version": view.previous_version,
        "published_at": view.published_at.isoformat(),
        "effective_at": view.effective_at.isoformat(),
        "changes": [change.as_dict() for change in view.changes],
    }


def _newest_first(store: WebStoreDep) -> list[VersionView]:
    with store.session() as session:
        return list(reversed(published_versions(session)))


@router.get("/api/policy/versions")
def read_policy_versions(store: WebStoreDep) -> dict[str, Any]:
    versions = [_public(view) for view in _newest_first(store)]
    return {"ok": True, "count": len(versions), "versions": versions}


@router.get("/policy/versions", response_class=HTMLResponse)
def read_policy_versions_page(store: WebStoreDep, policy: PolicyDep) -> HTMLResponse:
    return render("versions.html", versions=_newest_first(store), org=policy.short_name)


def _stored(store: WebStoreDep, version: str) -> StoredVersion:
    with store.session() as session:
        found = stored_version(session, version[:200])
    if found is None:
        raise NotFound("no version of the policy was published under this id")
    return found


@router.get("/policy/versions/{version}.yaml", response_class=PlainTextResponse)
def read_policy_version_file(version: str, store: WebStoreDep) -> PlainTextResponse:
    """The published file itself, as it was stored (a stable address)."""
    found = _stored(store, version)
    name = quote(found.view.version, safe="")
    return PlainTextResponse(
        found.policy_yaml,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}.yaml"},
    )


@router.get("/policy/versions/{version}", response_class=HTMLResponse)
def read_policy_version_page(version: str, store: WebStoreDep) -> HTMLResponse:
    """A published version, readable at its own address for as long as it is kept."""
    found = _stored(store, version)
    policy = parse_policy(found.policy_yaml, source=f"version {found.view.version}")
    until = (
        f" until {found.superseded_at:%Y-%m-%d %H:%M} UTC"
        if found.superseded_at is not None
        else ""
    )
    note = (
        f"Version {policy.id}, in effect from "
        f"{found.view.effective_at:%Y-%m-%d %H:%M} UTC{until}."
    )
    current = store.policy_in_effect()
    return _policy_page(policy, note, earlier=current.version_row != found.view.id)
