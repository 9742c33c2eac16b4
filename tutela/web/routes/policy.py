"""The published policy: HTML for people, Markdown and JSON for machines.

Policy: "Please check this page regularly for updates." (changes.check_regularly)
and changes.may_change: `/policy/versions` (and `/api/policy/versions`) list
every version published with `tutela policy publish`, newest first, with when
it took effect and what it changed. Who published it and how many people
were told stay internal (`tutela policy versions`).
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from tutela.changes.versions import VersionView, published_versions
from tutela.policy import render_html, render_markdown
from tutela.web._webstore import WebStoreDep
from tutela.web.deps import PolicyDep

router = APIRouter(tags=["policy"])


class MarkdownResponse(PlainTextResponse):
    """Markdown text; declared as such in the OpenAPI schema too."""

    media_type = "text/markdown"


@router.get("/", response_class=HTMLResponse)
@router.get("/policy", response_class=HTMLResponse)
def read_policy_page(policy: PolicyDep) -> HTMLResponse:
    return HTMLResponse(render_html(policy))


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
def read_policy_versions_page(store: WebStoreDep) -> HTMLResponse:
    items = []
    for view in _newest_first(store):
        changes = "".join(
            f"<li>{'<strong>material:</strong> ' if c.material else ''}"
            f"{html.escape(c.sentence)}</li>"
            for c in sorted(view.changes, key=lambda c: not c.material)
        )
        items.append(
            f"<li><h2>{html.escape(view.version)}</h2>"
            f"<p>Published {view.published_at:%Y-%m-%d %H:%M} UTC, in effect from "
            f"{view.effective_at:%Y-%m-%d %H:%M} UTC.</p>"
            + (f"<ul>{changes}</ul>" if changes else "<p>First published version.</p>")
            + "</li>"
        )
    body = (
        f"<ol reversed>{''.join(items)}</ol>"
        if items
        else "<p>No version published yet.</p>"
    )
    return HTMLResponse(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Privacy policy versions</title></head><body><main>"
        f'<h1>Privacy policy versions</h1><p><a href="/policy">The policy</a></p>{body}'
        "</main></body></html>"
    )
