"""Server-rendered pages of the console and portal: one Jinja environment, one header set.

Clause: secure.measures. Every page is sent with a Content-Security-Policy
that loads nothing from another origin and runs no script, is never framed
or cached, and sends no referrer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tutela.web._headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
)

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def render(name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `templates/<name>` with the security headers."""
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=dict(PAGE_HEADERS))
