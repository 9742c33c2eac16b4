"""The e-mail that tells subscribers a new version of the policy is published.

Clauses: changes.notice ("Jive will make a good faith effort to give notice
of changes by email to those who have requested updates in this way"),
changes.effective_on_publication (the notice says when the version takes
effect, and that it does so even if a notice goes astray).

The message is a fixed template filled only from the policy and its diff:
every subscriber gets the very same words, and nothing in it comes from the
store, so it carries no personal data. Material changes come first.
"""

from __future__ import annotations

import datetime as dt
import textwrap

from tutela.changes._change import Change
from tutela.changes.diff import material_first
from tutela.policy import Policy

MAX_SUBJECT = 300  # the outbox's subject column
_WIDTH = 72


def announcement(
    policy: Policy,
    changes: list[Change],
    *,
    effective_at: dt.datetime,
    policy_url: str,
) -> tuple[str, str]:
    """Subject and plain-text body announcing `policy` with its `changes`."""
    org = policy.short_name
    procedure = policy.meaning.change_procedure
    subject = f"{org} privacy policy updated: version {policy.id}"[:MAX_SUBJECT]
    when = effective_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    ordered = material_first(changes)
    material = [c for c in ordered if c.material]
    other = [c for c in ordered if not c.material]
    paragraphs = [
        f"{org} has published a new version of its privacy policy "
        f"(version {policy.id}). It takes effect on {when}."
    ]
    if material:
        paragraphs.append(
            f"Changes that let {org} do more with personal information than "
            "before:\n" + _bullets(material)
        )
    if other:
        paragraphs.append(
            "Other changes (wording, or less use of personal information):\n"
            + _bullets(other)
        )
    if not changes:
        paragraphs.append(
            "No rule of the policy changed: only its version, its date or "
            f"details that do not change what {org} does with personal information."
        )
    paragraphs += [
        f"Read the policy: {policy_url}",
        f"You receive this message because you asked for e-mail notice of "
        f"policy updates (on our website, or by writing to {procedure.address} "
        f"under the heading “{procedure.heading}”). {org} sends it in good "
        f"faith; the new "
        f"version takes effect even if a notice does not reach you.",
    ]
    return subject, "\n\n".join(_wrap(p) for p in paragraphs) + "\n"


def _bullets(changes: list[Change]) -> str:
    return "\n".join(
        textwrap.fill(
            change.sentence,
            width=_WIDTH,
            initial_indent="  - ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        for change in changes
    )


def _wrap(paragraph: str) -> str:
    # Bullet lists are wrapped already; wrap the prose paragraphs only.
    if "\n" in paragraph:
        return paragraph
    return textwrap.fill(
        paragraph, width=_WIDTH, break_long_words=False, break_on_hyphens=False
    )
