"""Render the human-readable policy from the data (`tutela policy render`).

The rendering uses only the `document` half of the policy, so what the public
reads is, sentence for sentence, what the code enforces.
"""

from __future__ import annotations

import re
from typing import Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from tutela.policy.model import ListBlock, Policy

Format = Literal["md", "html"]

_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MD_EMPH = re.compile(r"\*([^*]+)\*")

_env = Environment(
    loader=PackageLoader("tutela.policy", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(policy: Policy, fmt: Format = "md") -> str:
    """The policy as Markdown or as a standalone HTML page."""
    if fmt == "md":
        return render_markdown(policy)
    if fmt == "html":
        return render_html(policy)
    raise ValueError(f"unknown format {fmt!r}; use 'md' or 'html'")


def render_markdown(policy: Policy) -> str:
    out: list[str] = []
    if policy.provenance:
        out += ["> " + policy.provenance.strip(), ""]
    out += [f"# {policy.title}", "", f"## {policy.organization}", ""]
    for section in policy.document:
        if section.heading:
            out += [f"{'#' * section.level} {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, ListBlock):
                for item in block.items:
                    text = " ".join(c.text for c in item.clauses)
                    lead = f"**{item.lead}** " if item.lead else ""
                    out.append(f"  * {lead}{text}")
            else:
                out.append(" ".join(c.text for c in block.paragraph))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _inline_html(text: str) -> Markup:
    """Escape, then turn the policy's few inline conventions into markup."""
    html = str(escape(text))
    html = _MD_LINK.sub(r'<a href="\2">\1</a>', html)
    html = _MD_EMPH.sub(r"<em>\1</em>", html)
    html = _EMAIL.sub(r'<a href="mailto:\1">\1</a>', html)
    return Markup(html)


def render_html(policy: Policy) -> str:
    template = _env.get_template("policy.html")
    return template.render(policy=policy, inline=_inline_html)


def render_body(policy: Policy) -> Markup:
    """The policy's text as HTML to place inside a page (the web pages' layout)."""
    template = _env.get_template("_body.html")
    return Markup(template.render(policy=policy, inline=_inline_html))
