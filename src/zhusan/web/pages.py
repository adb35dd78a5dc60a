"""The report site: a static, self-contained HTML site of a package (``write_site``).

An overview with a "Cite this" box (from CITATION.cff), a chart per thing counted, the
discrepancies, every figure in a searchable table, each archived document with the figures'
quotes marked, and, given a release folder, a Downloads page listing its files. The pages load
nothing from the network (the script, style sheet and icon are files of the site); page text
lives in templates under ``site/assets/``. The folder appears only once every file in it has
been written.
"""

from __future__ import annotations

import hashlib
import os
import re
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from zhusan.build.citation import CFF_FILE, citation_cff, citation_text, read_citation
from zhusan.build.release import SUMS_FILE, read_sums
from zhusan.checks.conflicts import conflict_list
from zhusan.files.descriptor import DESCRIPTOR, UnusableInput, is_bundled, read_descriptor, version
from zhusan.files.links import Folder
from zhusan.files.output import write_folder
from zhusan.files.seeds import read_seed
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import estimates
from zhusan.model.published import PUBLISHED, rows_of
from zhusan.model.tables import Figure, Source
from zhusan.web.chart import CHARTS, NARROW, WIDE, svg
from zhusan.web.text import (
    MAX_MARKS,
    counted,
    esc,
    interests,
    iv_sort,
    iv_text,
    marked,
    num,
    occurrences,
    spans,
    what,
    when,
    whose,
    words,
)

ASSETS = ("site.css", "site.js", "favicon.svg")
#: Marks a folder as a site written here: only such a folder (or an empty one) is replaced.
MARKER = ".zhusan-site"
NAV = {"index": "Overview", "counts": "Counts", "conflicts": "Discrepancies", "figures": "Figures"}
DOWNLOADS = "downloads"
#: What each release file holds, by the end of its name (first match).
FILE_KINDS = (
    ("-parquet.zip", "One Parquet file per table (pyarrow, pandas, polars, DuckDB, R arrow)."),
    (".zip", "The Frictionless data package: CSV files with their Table Schemas, JSON files with "
             "their JSON Schemas, the archived sources and CITATION.cff."),
    (".sqlite", "SQLite database, one table per table, with primary and foreign keys."),
    ("-datasette.json", "Datasette metadata for the database: licence, table and column "
                        "descriptions (datasette DB.sqlite -m this-file)."),
    (".xlsx", "Excel workbook: one sheet per table, with filters and a frozen header."),
    (CFF_FILE, "How to cite this release (Citation File Format)."),
    (".zenodo.json", "The metadata Zenodo reads to archive the release and mint its DOI."),
    (SUMS_FILE, "The SHA-256 of every other file: sha256sum -c SHA256SUMS."),
)  # fmt: skip
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#222222")
CURRENT = ' aria-current="page"'


def _link(f: Figure) -> str:
    href = f"source-{f.source_id}.html#{f.figure_id}"
    return f'<a href="{esc(href)}">{esc(f.figure_id)}</a>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _asset(name: str) -> str:
    return resources.files("zhusan.web").joinpath("assets", name).read_text("utf-8")


def _fill(template: str, **values: object) -> str:
    return Template(_asset(template)).substitute({k: str(v) for k, v in values.items()})


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="table-wrap">{table}</div>'


def _page(
    name: str, title: str, body: str, frame: dict[str, str], menu: dict[str, str] = NAV
) -> str:
    nav = "".join(
        f'<a href="{key}.html"{CURRENT if key == name else ""}>{label}</a>'
        for key, label in menu.items()
    )
    values = {"version": esc(version()), "title": esc(title), "page": name.split("-")[0]}
    return _fill("layout.html", **values, **frame, nav=nav, body=body)


def _licences(about: dict[str, Any]) -> str:
    found = about.get("licenses")
    names = [
        str(x.get("name") or x.get("title") or x.get("path"))
        for x in (found if isinstance(found, list) else [])
        if isinstance(x, dict) and (x.get("name") or x.get("title") or x.get("path"))
    ]
    return ", ".join(names) or "no licence stated in datapackage.json"


def _frame(data: Dataset, about: dict[str, Any]) -> dict[str, str]:
    """What every page's frame says of the package: its name, licences, documents."""
    n = len(data.sources)
    quoted = "the one document" if n == 1 else f"one of the {counted(n, 'document')}"
    name = about.get("name")
    return {
        "brand": esc(name if isinstance(name, str) and name else "zhusan-data"),
        "licences": esc(_licences(about)),
        "quoted": quoted if n else "the documents archived with it (none yet)",
    }


def _index(
    data: Dataset,
    found: list[dict[str, Any]],
    colour: dict[str, str],
    about: dict[str, Any],
    cite: str,
) -> str:
    counts = {name: len(rows_of(data, name)) for name in PUBLISHED}
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
    title, description = about.get("title"), about.get("description")
    return _fill("page-index.html", findings=len(found), unexplained=unexplained,
                 figures=len(data.figures), tiles=tiles, cards="".join(cards),
                 title=esc(title if isinstance(title, str) and title else "Data package"),
                 documents=counted(len(data.sources), "document"),
                 say="says" if len(data.sources) == 1 else "say",
                 description=esc(description if isinstance(description, str) else ""),
                 interests=esc(interests(data)), cite=cite)  # fmt: skip


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
        drawn = "".join(svg(chart, figs, colour, years, geo) for geo in (WIDE, NARROW))
        body = (
            f'<figure class="chart-box">{drawn}</figure><ul class="legend">{legend}</ul>'
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
        f"<th{' data-type=number' if h in ('value', 'interval') else ''}>"
        f'<button type="button">{h}</button></th>'
        for h in head
    )
    rows = []
    for f in data.figures:
        value = "" if f.value is None else f"{f.value:g}"
        cells = [_link(f), esc(f.source_id), esc(words(f)), num(f.value) if value else ""]
        cells += [esc(x) for x in (iv_text(f), f.unit, what(f), whose(f), when(f))]
        sort = {3: value, 4: iv_sort(f)}
        tds = "".join(
            f'<td class="num" data-sort="{sort[i]}">{c}</td>' if i in sort else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        rows.append(
            f'<tr id="{esc(f.figure_id)}" data-href="source-{esc(f.source_id)}.html#'
            f'{esc(f.figure_id)}">{tds}<td class="quote">{_bold(f)}</td></tr>'
        )
    return _fill("page-figures.html", count=len(data.figures), head=th, rows="".join(rows))


def _source(s: Source, data: Dataset, root: Path, names: dict[str, str]) -> str:
    figs = [f for f in data.figures if f.source_id == s.source_id]
    with Folder(root, is_bundled(root)) as folder:
        seed = read_seed(folder, s.path)
    text = "" if isinstance(seed, tuple) else seed.decode("utf-8", errors="replace")
    marks = spans(text, figs)
    found = {sp.figure.figure_id for sp in marks}
    missing = ' <span class="badge missing">quote not found</span>'
    times = occurrences(text, figs)

    def more(f: Figure) -> str:
        n = times[f.figure_id]
        return f" (marked at its first {MAX_MARKS} of {n:,} places)" if n > MAX_MARKS else ""

    items = "".join(
        f'<li><a href="#{esc(f.figure_id)}">{esc(f.figure_id)}</a>: <strong>{esc(words(f))}'
        f"</strong> {esc(what(f))}{'' if f.figure_id in found else missing}{more(f)}</li>"
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


def _cff(root: Path, release: Path | None) -> str:
    """The CITATION.cff text: the release's, else the package's, else one from its descriptor."""
    for folder in (release, root):
        if folder is not None and (folder / CFF_FILE).is_file():
            return (folder / CFF_FILE).read_text(encoding="utf-8")
    return citation_cff(read_descriptor(root / DESCRIPTOR))


def _cite(cff_text: str) -> str:
    """The "Cite this" box: the citation in one line, the CFF message, the file itself."""
    cff = read_citation(cff_text)
    released = cff.get("date-released")
    facts = [f"version {cff['version']}" if cff.get("version") else "no version given",
             f"released {released}" if released else "not a release"]  # fmt: skip
    if cff.get("doi"):
        facts.append(f"DOI {cff['doi']}")
    said = ", ".join(facts)
    return (
        f'<section class="cite" id="cite"><h2>Cite this</h2>'
        f'<p class="citation">{esc(citation_text(cff))}</p>'
        f'<p class="note">{esc(said[:1].upper() + said[1:])}. {esc(cff.get("message", ""))}</p>'
        f"<details><summary>{CFF_FILE}</summary><pre>{esc(cff_text)}</pre></details></section>"
    )


def _size(n: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,} bytes"


def _kind(name: str) -> str:
    return next((words for end, words in FILE_KINDS if name.endswith(end)), "")


def release_downloads(release: Path) -> dict[str, bytes]:
    """Every file of a release folder by name: those SHA256SUMS lists, then SHA256SUMS.

    UnusableInput when SHA256SUMS is missing or lists a file that is missing or differs.
    """
    sums_path = release / SUMS_FILE
    if not sums_path.is_file():
        raise UnusableInput(f"{release}: no {SUMS_FILE}; is it a folder `zhusan release` wrote?")
    sums = read_sums(sums_path.read_text(encoding="utf-8"))
    files = {}
    for name, want in sums.items():
        path = release / name
        if "/" in name or "\\" in name or not path.is_file():
            raise UnusableInput(f"{release}: {name}, listed in {SUMS_FILE}, is missing")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != want:
            raise UnusableInput(f"{release}: {name} does not match its SHA-256 in {SUMS_FILE}")
        files[name] = data
    files[SUMS_FILE] = sums_path.read_bytes()
    return files


def _order(name: str) -> tuple[int, str]:
    """Release files in reading order: the package, its other formats, then the metadata."""
    ends = [".zip", "-parquet.zip", ".sqlite", "-datasette.json", ".xlsx", CFF_FILE,
            ".zenodo.json", SUMS_FILE]  # fmt: skip
    found = [i for i, end in enumerate(ends) if name.endswith(end)]
    return (found[-1] if found else len(ends), name)


def _downloads(files: dict[str, bytes], cite: str) -> str:
    items = "".join(
        f'<li id="file-{_slug(name)}"><a href="{DOWNLOADS}/{esc(name)}" download>{esc(name)}</a>'
        f' <span class="muted" title="{len(data):,} bytes">{_size(len(data))}</span>'
        f"<p>{esc(_kind(name))}</p>"
        f'<p>SHA-256 <code class="sha">{hashlib.sha256(data).hexdigest()}</code></p></li>'
        for name, data in sorted(files.items(), key=lambda item: _order(item[0]))
    )
    return _fill("page-downloads.html", count=len(files), items=items, cite=cite)


def build_site(
    data: Dataset, root: Path, about: dict[str, Any] | None = None, release: Path | None = None
) -> dict[str, bytes]:
    """Every file of the site of ``data`` (its documents under ``root``), by path in the site.

    With ``release`` (a folder ``zhusan release`` wrote), its files are copied under
    ``downloads/`` and listed on ``downloads.html``. ``about`` is the package's
    datapackage.json: its title, description, name and licences are the site's; every count
    and every interested party comes from the data.
    """
    about = about or {}
    found = conflict_list(data)
    colour = {s.source_id: COLOURS[i % len(COLOURS)] for i, s in enumerate(data.sources)}
    names = {s.source_id: s.publisher or ", ".join(s.authors) or s.source_id for s in data.sources}
    cite = _cite(_cff(root, release))
    pages = {
        "index": ("Overview", _index(data, found, colour, about, cite)),
        "counts": ("Counts", _counts(data, {c["topic"] for c in found}, colour, names)),
        "conflicts": ("Discrepancies", _conflicts(data, found, names)),
        "figures": ("Figures", _figures(data)),
    }
    menu = dict(NAV)
    downloads = release_downloads(release) if release is not None else {}
    if downloads:
        menu[DOWNLOADS] = "Downloads"
        pages[DOWNLOADS] = ("Downloads", _downloads(downloads, cite))
    for s in data.sources:
        pages[f"source-{s.source_id}"] = (s.title, _source(s, data, root, names))
    frame = _frame(data, about)
    files = {
        f"{k}.html": _page(k, t, body, frame, menu).encode("utf-8")
        for k, (t, body) in pages.items()
    }
    for name, content in downloads.items():
        files[f"{DOWNLOADS}/{name}"] = content
    for asset in ASSETS:
        files[f"assets/{asset}"] = _asset(asset).encode("utf-8")
    return files


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_site(
    out: str | os.PathLike[str],
    data: Dataset,
    root: Path,
    about: dict[str, Any] | None = None,
    release: Path | None = None,
) -> list[Path]:
    """Write the site of ``data`` (its documents under ``root``) into the folder ``out``.

    ``about`` is the package's datapackage.json and ``release`` a release folder whose files
    the site offers on a Downloads page (see ``build_site``).

    The files go into a staging folder next to ``out``, which then takes its place in one
    rename (``files.output.write_folder``), so on any error, interrupt or kill ``out`` is as it
    was, and after success it holds exactly the new site. An existing ``out`` is replaced only
    when it is empty or a site written here before, holding nothing but the files its manifest
    ``.zhusan-site`` lists; otherwise ``ForeignFiles`` (a FileExistsError): no file zhusan did not
    write is ever deleted. Returns the files written.
    """
    files = build_site(data, root, about, release)

    def write(staging: Path) -> list[str]:
        for name, content in files.items():
            _write_file(staging / name, content)
        return list(files)

    title = f"# zhusan-data {version()}: files of `zhusan report`; no other file belongs here"
    return write_folder(out, write, MARKER, title)
