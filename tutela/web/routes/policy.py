"""The published policy: HTML for people, Markdown and JSON for machines.

Policy: "Please check this page regularly for updates." (changes.check_regularly)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from tutela.policy.render import render_html, render_markdown
from tutela.web.deps import PolicyDep

router = APIRouter(tags=["policy"])


@router.get("/", response_class=HTMLResponse)
@router.get("/policy", response_class=HTMLResponse)
def read_policy_page(policy: PolicyDep) -> HTMLResponse:
    return HTMLResponse(render_html(policy))


@router.get("/policy.md", response_class=PlainTextResponse)
def read_policy_markdown(policy: PolicyDep) -> PlainTextResponse:
    return PlainTextResponse(
        render_markdown(policy), media_type="text/markdown; charset=utf-8"
    )


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
