"""The data map: categories <-> purposes <-> recipients <-> jurisdictions, from the policy.

Clauses: collect (the categories and their sources), use.purposes (which
purposes may use which categories), disclose.recipients (who may receive
which categories, for which purposes), disclose.jurisdictions (where
recipients may be). Everything here is read from the loaded policy, the
same rules the gate and the disclosure check enforce, so the map cannot
drift from the code. `diagram_svg` draws it as a static SVG (no script).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from tutela.policy.model import Policy


@dataclass(frozen=True)
class MapRow:
    category: str
    name: str
    source: str
    retention: str
    linkable: bool
    purposes: list[str]
    recipients: list[str]
    jurisdictions: list[str]


@dataclass(frozen=True)
class DataMap:
    rows: list[MapRow]
    purposes: list[str]
    recipients: list[tuple[str, str]]  # (id, kind)
    jurisdictions: list[str]


def data_map(policy: Policy) -> DataMap:
    """One row per category with the purposes, recipients and places it may reach."""
    meaning = policy.meaning
    places: list[str] = list(meaning.jurisdictions.recipient_locations)
    rows = []
    for category in meaning.categories:
        purposes = [p.id for p in meaning.purposes if category.id in p.categories]
        recipients = [
            r.id
            for r in meaning.recipients
            if r.categories == "all" or category.id in r.categories
        ]
        rows.append(
            MapRow(
                category=category.id,
                name=category.name,
                source=category.source.value,
                retention=category.retention.description,
                linkable=category.linkable,
                purposes=purposes,
                recipients=recipients,
                jurisdictions=places if recipients else [],
            )
        )
    return DataMap(
        rows=rows,
        purposes=[p.id for p in meaning.purposes],
        recipients=[(r.id, r.kind.value) for r in meaning.recipients],
        jurisdictions=places,
    )


_ROW = 26
_TOP = 40
_COLUMNS = (10, 250, 490, 700)
_WIDTH = 820


def _label(x: int, y: int, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y + 4}" text-anchor="{anchor}" '
        f'font-size="13">{escape(text)}</text>'
    )


def diagram_svg(data: DataMap) -> str:
    """Four columns joined by lines: category - purpose, category - recipient - place."""
    cat_y = {r.category: _TOP + i * _ROW for i, r in enumerate(data.rows)}
    pur_y = {p: _TOP + i * _ROW for i, p in enumerate(data.purposes)}
    rec_y = {r: _TOP + i * _ROW for i, (r, _k) in enumerate(data.recipients)}
    jur_y = {j: _TOP + i * _ROW for i, j in enumerate(data.jurisdictions)}
    height = _TOP + _ROW * max(len(cat_y), len(pur_y), len(rec_y), 1) + 10
    x_cat, x_pur, x_rec, x_jur = _COLUMNS
    lines: list[str] = []
    for row in data.rows:
        y = cat_y[row.category]
        for p in row.purposes:
            lines.append(
                f'<line x1="{x_cat + 170}" y1="{y}" x2="{x_pur - 4}" '
                f'y2="{pur_y[p]}" stroke="#7a9cc6" stroke-width="1"/>'
            )
        for r in row.recipients:
            lines.append(
                f'<line x1="{x_cat + 170}" y1="{y}" x2="{x_rec - 4}" '
                f'y2="{rec_y[r]}" stroke="#d9a066" stroke-width="0.6" '
                'stroke-opacity="0.6"/>'
            )
    for r, _kind in data.recipients:
        for j in data.jurisdictions:
            lines.append(
                f'<line x1="{x_rec + 150}" y1="{rec_y[r]}" x2="{x_jur - 4}" '
                f'y2="{jur_y[j]}" stroke="#8fb58f" stroke-width="0.8"/>'
            )
    labels = [
        _label(x_cat, 16, "Category"),
        _label(x_pur, 16, "Purpose"),
        _label(x_rec, 16, "Recipient"),
        _label(x_jur, 16, "Jurisdiction"),
    ]
    labels += [_label(x_cat, y, c) for c, y in cat_y.items()]
    labels += [_label(x_pur, y, p) for p, y in pur_y.items()]
    labels += [_label(x_rec, rec_y[r], f"{r} ({k})") for r, k in data.recipients]
    labels += [_label(x_jur, y, j) for j, y in jur_y.items()]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="datamap-title">'
        '<title id="datamap-title">Data map: which categories each purpose may '
        "use, which recipients may receive them and where they may be</title>"
        + "".join(lines)
        + "".join(labels)
        + "</svg>"
    )
