"""The report site: a static, self-contained HTML site of a package (``write_site``).

An overview, a chart per thing counted, the discrepancies, every figure in a searchable table,
and each archived document with the figures' quotes marked. The pages load nothing from the
network (the script, style sheet and icon are files of the site); page text lives in templates
under ``site/assets/``. The folder appears only once every file in it has been written.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from zhusan.checks.conflicts import conflict_list
from zhusan.files.descriptor import version
from zhusan.files.output import staging_folder, swap_in
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import estimates
from zhusan.model.tables import TABLES, Figure, Source
from zhusan.site.chart import CHARTS, svg
from zhusan.site.text import esc, iv_text, marked, num, spans, what, when, whose, words

ASSETS = ("site.css", "site.js", "favicon.svg")
#: Marks a folder as a site written here: only such a folder (or an empty one) is replaced.
MARKER = ".zhusan-site"
NAV = {"index": "Overview", "counts": "Counts", "conflicts": "Discrepancies", "figures": "Figures"}
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#222222")
CURRENT = ' aria-current="page"'


def _link(f: Figure) -> str:
    href = f"source-{f.source_id}.html#{f.figure_id}"
    return f'<a href="{esc(href)}">{esc(f.figure_id)}</a>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _asset(name: str) -> str:
    return resources.files("zhusan.site").joinpath("assets", name).read_text("utf-8")


def _fill(template: str, **values: object) -> str:
    return Template(_asset(template)).substitute({k: str(v) for k, v in values.items()})


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="table-wrap">{table}</div>'


def _page(name: str, title: str, body: str) -> str:
    nav = "".join(
        f'<a href="{key}.html"{CURRENT if key == name else ""}>{label}</a>'
        for key, label in NAV.items()
    )
    values = {"version": esc(version()), "title": esc(title), "page": name.split("-")[0]}
    return _fill("layout.html", **values, nav=nav, body=body)


def _index(data: Dataset, found: list[dict[str, Any]], colour: dict[str, str]) -> str:
    counts = {name: len(getattr(data, name)) for name in TABLES}
    counts["estimates"] = len(estimates(data.figures, data.sources))
    tiles = "".join(f"<li><b>{n}</b>{esc(name)}</li>" for name, n in counts.items())
    cards = []
    for s in data.sources:
        meta = {
            "kind": s.kind.replace("_", " "),
            "by": ", ".join(filter(None, [s.publisher, *s.authors])) or "not named",
            "published": f"{s.published or 'undated'} ({s.published_basis})",
            "address": s.url or "none given",
            "disclosure": s.disclosure_quote or "none printed",
            "speaks for": s.interest.replace("_", " ")
            + (f" ({s.interest_org_id})" if s.interest_org_id else ""),
            "figures": sum(f.source_id == s.source_id for f in data.figures),
        }
        rows = "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in meta.items())
        cards.append(
            f'<article style="--c: {colour[s.source_id]}"><h3><a href="source-{esc(s.source_id)}'
            f'.html">{esc(s.title)}</a></h3><dl class="meta">{rows}</dl>'
            f"<p><strong>Interest.</strong> {esc(s.interest_note)}</p></article>"
        )
    unexplained = sum(c["explanation"] is None for c in found)
    return _fill("page-index.html", findings=len(found), unexplained=unexplained,
                 figures=len(data.figures), tiles=tiles, cards="".join(cards))  # fmt: skip


def _counts(data: Dataset, topics: set[str], colour: dict[str, str], names: dict[str, str]) -> str:
    dated = sorted({int(f.as_of[:4]) for f in data.figures if f.as_of and _charted(f)})
    years = range(dated[0], dated[-1] + 1) if dated else range(2019, 2020)
    ranges = estimates(data.figures, data.sources)
    out = []
    for chart in CHARTS:
        figs = [f for f in data.figures if chart.shows(f)]
        legend = "".join(
            f'<li><span class="swatch" style="--c: {colour[s]}"></span>{esc(names[s])}</li>'
            for s in dict.fromkeys(f.source_id for f in figs)
        )
        rows = [[esc(names[f.source_id]), _link(f), esc(words(f)), esc(iv_text(f)), esc(what(f)),
                 esc(when(f))] for f in figs]  # fmt: skip
        env = [[esc(e.measure or str(e.legal_stage)), esc(e.group),
                esc(e.as_of_last or "undated"), f"{num(e.low)} to {num(e.high)}",
                esc(", ".join(e.sources))]
               for e in ranges if e.scope == "zhusan" and set(e.measures) & chart.measures
               and (not chart.groups or e.group in chart.groups)]  # fmt: skip
        body = (
            f'<figure class="chart-box">{svg(chart, figs, colour, years)}</figure>'
            f'<ul class="legend">{legend}</ul>'
            if figs
            else "<p>No source gives a figure for this.</p>"
        )
        out.append(
            f'<section id="{chart.key}"><h2>{esc(chart.title)}</h2>{body}'
            f"<details><summary>The {len(figs)} figures</summary>"
            + _table(["source", "figure", "stated", "interval", "what", "as of"], rows)
            + "</details><details><summary>Range across sources, at each time (estimates)"
            "</summary>"
            + _table(["measure or legal stage", "group", "as of", "low to high", "sources"], env)
            + "</details>"
            + (
                f'<p class="note"><a href="conflicts.html#{_slug(chart.topic)}">Discrepancies '
                "about this</a></p></section>"
                if chart.topic in topics
                else '<p class="note">The checks find no discrepancy about this.</p></section>'
            )
        )
    return _fill("page-counts.html", charts="".join(out))


def _charted(f: Figure) -> bool:
    return any(c.shows(f) for c in CHARTS)


def _conflicts(data: Dataset, found: list[dict[str, Any]], names: dict[str, str]) -> str:
    by_id = {f.figure_id: f for f in data.figures}
    charts = {c.topic: c.key for c in CHARTS}
    topics = list(dict.fromkeys(c["topic"] for c in found))
    toc = "".join(f'<li><a href="#{_slug(t)}">{esc(t)}</a></li>' for t in topics)
    out = []
    for t in topics:
        chart = f' <a class="note" href="counts.html#{charts[t]}">chart</a>' if t in charts else ""
        out.append(f'<section id="{_slug(t)}"><h2>{esc(t.capitalize())}{chart}</h2>')
        for c in (c for c in found if c["topic"] == t):
            e = c["explanation"]
            kind = "unexplained" if e is None else e["kind"]
            figs = "".join(
                f"<li>{_link(f)} · {esc(names[f.source_id])}: <strong>{esc(words(f))}</strong> "
                f"{esc(iv_text(f))}, as of {esc(when(f))} · "
                f'<a href="figures.html#{esc(f.figure_id)}">in the table</a>'
                f"<blockquote>{esc(f.quote)}</blockquote></li>"
                for f in (by_id[x["figure_id"]] for x in c["figures"])
            )
            text = "No row of discrepancies explains this finding." if e is None else e["text"]
            out.append(
                f'<article class="finding" id="finding-{_slug(c["finding_id"])}"><h3>'
                f'<span class="badge kind-{esc(kind)}">{esc(kind.replace("_", " "))}</span> '
                f'<span class="badge">{esc(c["rule"])}</span> <code>{esc(c["finding_id"])}</code>'
                f"</h3><p>{esc(c['message'])}</p><ul>{figs}</ul>"
                f'<p class="explanation">{esc(text)}</p></article>'
            )
        out.append("</section>")
    return _fill("page-conflicts.html", count=len(found), toc=toc, topics="".join(out))


def _bold(f: Figure) -> str:
    """The quote, escaped, with the stated number in bold."""
    pattern = r"\s+".join(re.escape(w) for w in f.stated.split())
    m = pattern and (re.search(rf"(?<!\w){pattern}(?!\w)", f.quote) or re.search(pattern, f.quote))
    if not m:
        return esc(f.quote)
    parts = (f.quote[: m.start()], m.group(), f.quote[m.end() :])
    return f"{esc(parts[0])}<b>{esc(parts[1])}</b>{esc(parts[2])}"


def _figures(data: Dataset) -> str:
    head = [
        "figure", "source", "stated", "value", "interval", "unit", "what", "whose", "as of",
        "quote",
    ]  # fmt: skip
    th = "".join(
        f'<th{" data-type=number" if h == "value" else ""}><button type="button">{h}</button></th>'
        for h in head
    )
    rows = []
    for f in data.figures:
        value = "" if f.value is None else f"{f.value:g}"
        cells = [_link(f), esc(f.source_id), esc(words(f)), num(f.value) if value else ""]
        cells += [esc(x) for x in (iv_text(f), f.unit, what(f), whose(f), when(f))]
        tds = "".join(
            f'<td class="num" data-sort="{value}">{c}</td>' if i == 3 else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        rows.append(
            f'<tr id="{esc(f.figure_id)}" data-href="source-{esc(f.source_id)}.html#'
            f'{esc(f.figure_id)}">{tds}<td class="quote">{_bold(f)}</td></tr>'
        )
    return _fill("page-figures.html", count=len(data.figures), head=th, rows="".join(rows))


def _source(s: Source, data: Dataset, root: Path, names: dict[str, str]) -> str:
    figs = [f for f in data.figures if f.source_id == s.source_id]
    try:
        text = (root / s.path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        text = ""
    marks = spans(text, figs)
    found = {sp.figure.figure_id for sp in marks}
    missing = ' <span class="badge missing">quote not found</span>'
    items = "".join(
        f'<li><a href="#{esc(f.figure_id)}">{esc(f.figure_id)}</a>: <strong>{esc(words(f))}'
        f"</strong> {esc(what(f))}{'' if f.figure_id in found else missing}</li>"
        for f in figs
    )
    published = f"{s.published or 'undated'} ({s.published_basis})"
    meta = {
        "by": names[s.source_id],
        "published": published + (f": {s.published_note}" if s.published_note else ""),
        "archived copy": f"{s.path} (sha256 {s.sha256[:16]}…)",
        "interest": f"{s.interest.replace('_', ' ')}: {s.interest_note}",
    }
    return _fill(
        "page-source.html",
        title=esc(s.title),
        meta="".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in meta.items()),
        doc=marked(text, marks) if text else "The archived copy is missing from this package.",
        count=len(figs),
        items=items,
    )


def build_site(data: Dataset, root: Path) -> dict[str, bytes]:
    """Every file of the site of ``data`` (its documents under ``root``), by path in the site."""
    found = conflict_list(data)
    colour = {s.source_id: COLOURS[i % len(COLOURS)] for i, s in enumerate(data.sources)}
    names = {s.source_id: s.publisher or ", ".join(s.authors) or s.source_id for s in data.sources}
    pages = {
        "index": ("Overview", _index(data, found, colour)),
        "counts": ("Counts", _counts(data, {c["topic"] for c in found}, colour, names)),
        "conflicts": ("Discrepancies", _conflicts(data, found, names)),
        "figures": ("Figures", _figures(data)),
    }
    for s in data.sources:
        pages[f"source-{s.source_id}"] = (s.title, _source(s, data, root, names))
    files = {f"{k}.html": _page(k, t, body).encode("utf-8") for k, (t, body) in pages.items()}
    for asset in ASSETS:
        files[f"assets/{asset}"] = _asset(asset).encode("utf-8")
    files[MARKER] = f"zhusan-data {version()}\n".encode()
    return files


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_site(out: str | os.PathLike[str], data: Dataset, root: Path) -> list[Path]:
    """Write the site of ``data`` (its documents under ``root``) into the folder ``out``.

    The files go into a staging folder next to ``out``, which then takes its place, so on any
    error ``out`` is as it was. An existing ``out`` is replaced only when it is empty or a site
    written here before (it holds ``.zhusan-site``); otherwise FileExistsError. Returns the files.
    """
    target = Path(out)
    ours = (target / MARKER).is_file()
    if target.exists() and not ours and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} exists and is not a site written by zhusan")
    files = build_site(data, root)
    staging = staging_folder(target)
    try:
        for name, content in files.items():
            _write_file(staging / name, content)
        swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / name for name in files]
