"""The rendered policy contains every sentence of the published seed policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.samples import SHARED
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.policy.model import ParagraphBlock
from tutela.policy.render import render

SEED = SHARED / "seed" / "000_9b77ddb9cfea8b9b.txt"


def normalize(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)  # links -> their text
    text = re.sub(
        r"^\s*(#+|>|\*(?=\s))\s*", "", text, flags=re.M
    )  # headings, quotes, bullets
    text = text.replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.?!:;])\s+(?=[A-Z“\"(]|to |with |if )", normalize(text))
    return [p.strip() for p in parts if p.strip()]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(re.sub(r"<(style|title)>.*?</\1>", "", html, flags=re.S))
    return re.sub(r"\s+", " ", "".join(parser.chunks))


@pytest.mark.clause("changes.check_regularly")
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_seed_sentence_is_rendered(fmt: str) -> None:
    seed = sentences(SEED.read_text(encoding="utf-8"))
    assert len(seed) > 50
    output = render(load_policy(DEFAULT_POLICY), "md" if fmt == "md" else "html")
    rendered = normalize(output) if fmt == "md" else html_text(output)
    rendered = re.sub(r"\s+", " ", rendered)
    missing = [s for s in seed if s not in rendered]
    assert missing == [], f"{len(missing)}/{len(seed)} seed sentences missing"


def test_every_clause_is_one_seed_sentence_or_list_item() -> None:
    seed = normalize(SEED.read_text(encoding="utf-8"))
    for clause in load_policy(DEFAULT_POLICY).clauses():
        assert clause.text in seed, clause.id


def test_html_escapes_clause_text() -> None:
    policy = load_policy(DEFAULT_POLICY)
    first = policy.document[0].blocks[0]
    assert isinstance(first, ParagraphBlock)
    hostile = first.model_copy(
        update={
            "paragraph": [
                first.paragraph[0].model_copy(update={"text": "<script>x</script>"})
            ]
        }
    )
    section = policy.document[0].model_copy(update={"blocks": [hostile]})
    page = render(policy.model_copy(update={"document": [section]}), "html")
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;" in page
