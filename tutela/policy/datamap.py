"""The data map: categories <-> purposes <-> recipients <-> jurisdictions, from the policy.

Clauses: collect (the categories and their sources), use.purposes (which
purposes may use which categories), disclose (who may receive
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
    # recipient -> the purposes it receives data for (none: any lawful one of its kind)
    recipient_purposes: dict[str, list[str]]


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
        recipient_purposes={r.id: list(r.purposes or []) for r in meaning.recipients},
    )


_ROW = 26
_TOP = 40
_COLUMNS = (10, 200, 450, 700)
_WIDTH = 800
_GAP = {0: 125, 1: 170, 2: 135}  # where a column's lines start, after its labels


def _label(x: int, y: int, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y + 4}" text-anchor="{anchor}" '
        f'font-size="13">{escape(text)}</text>'
    )


def _line(x1: int, y1: int, x2: int, y2: int, colour: str) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2 - 4}" y2="{y2}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def diagram_svg(data: DataMap) -> str:
    """Four columns joined by lines: category - purpose - processor; recipient - place.

    A recipient marked * names no purposes: it may receive any category under
    the conditions of its kind (a legal obligation, an affiliate, a purchaser).
    """
    cat_y = {r.category: _TOP + i * _ROW for i, r in enumerate(data.rows)}
    pur_y = {p: _TOP + i * _ROW for i, p in enumerate(data.purposes)}
    rec_y = {r: _TOP + i * _ROW for i, (r, _k) in enumerate(data.recipients)}
    jur_y = {j: _TOP + i * _ROW for i, j in enumerate(data.jurisdictions)}
    height = _TOP + _ROW * max(len(cat_y), len(pur_y), len(rec_y), 1) + 10
    x_cat, x_pur, x_rec, x_jur = _COLUMNS
    lines: list[str] = []
    for row in data.rows:
        for p in row.purposes:
            lines.append(
                _line(x_cat + _GAP[0], cat_y[row.category], x_pur, pur_y[p], "#4a78b0")
            )
    for r, purposes in data.recipient_purposes.items():
        for p in purposes:
            if p in pur_y:
                lines.append(
                    _line(x_pur + _GAP[1], pur_y[p], x_rec, rec_y[r], "#b0702a")
                )
    for r in rec_y:
        for j in data.jurisdictions:
            lines.append(_line(x_rec + _GAP[2], rec_y[r], x_jur, jur_y[j], "#4f8a4f"))
    labels = [
        _label(x_cat, 16, "Category"),
        _label(x_pur, 16, "Purpose"),
        _label(x_rec, 16, "Recipient"),
        _label(x_jur, 16, "Jurisdiction"),
    ]
    labels += [_label(x_cat, y, c) for c, y in cat_y.items()]
    labels += [_label(x_pur, y, p) for p, y in pur_y.items()]
    labels += [
        _label(x_rec, rec_y[r], r + ("" if data.recipient_purposes.get(r) else " *"))
        for r, _kind in data.recipients
    ]
    labels += [_label(x_jur, y, j) for j, y in jur_y.items()]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="datamap-title">'
        '<title id="datamap-title">Data map: which categories each purpose may '
        "use, which processors receive data for which purposes, and where "
        "recipients may be</title>" + "".join(lines) + "".join(labels) + "</svg>"
    )
