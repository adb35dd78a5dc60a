"""The report site: written atomically, well formed, offline, escaped, and usable in a browser."""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import zhusan
from tests.conftest import read_rows, refresh_hashes, write_rows
from zhusan.api import site as write_site
from zhusan.web import chart as site_chart
from zhusan.web import pages as site
from zhusan.web import text as site_text
from zhusan.web.pages import CHARTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "source", "col", "area", "base"}
DATA = zhusan.load()
RETURNED = next(c for c in CHARTS if c.key == "returned")


class Page(HTMLParser):
    """A page parsed strictly: every element closed in order; its ids, links and chart marks."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.points: list[dict[str, str]] = []
        self.feed(text)
        self.close()
        self.errors += [f"unclosed <{t}>" for t in self.stack]

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        self.links += [found[k] for k in ("href", "src", "xlink:href", "action") if k in found]
        if "data-figure-id" in found:
            self.points.append({"tag": tag, "chart": self._chart(), **found})

    def _chart(self) -> str:
        return next((c for c in reversed(self.stack) if c.startswith("svg#")), "")[4:]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element (void elements close themselves)."""
        self._attrs(tag, attrs)
        if tag not in VOID:
            ident = dict(attrs).get("id")
            self.stack.append(f"svg#{ident}" if tag == "svg" else tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element (SVG shapes)."""
        self._attrs(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open element, which must be ``tag``."""
        top = self.stack.pop() if self.stack else None
        if top is None or top.split("#")[0] != tag:
            self.errors.append(f"</{tag}> closes <{top}>")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled package, written once for the module."""
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(out)
    return out


def pages(folder: Path) -> dict[str, str]:
    """Every HTML page of a site, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def test_the_site_is_written(built: Path) -> None:
    """The overview, counts, discrepancies, figures, one page per source and the assets exist."""
    names = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    expected = {"index.html", "counts.html", "conflicts.html", "figures.html"}
    expected |= {f"source-{s.source_id}.html" for s in DATA.sources}
    expected |= {"assets/site.css", "assets/site.js", "assets/favicon.svg", site.MARKER}
    assert names == expected


def test_every_page_parses_with_unique_ids_and_working_links(built: Path) -> None:
    """Each page closes every element in order, has unique ids, and its links resolve."""
    parsed = {name: Page(text) for name, text in pages(built).items()}
    for name, page in parsed.items():
        assert page.errors == [], name
        assert len(page.ids) == len(set(page.ids)), name
    for name, page in parsed.items():
        for link in page.links:
            target, _, fragment = link.partition("#")
            target = target or name
            assert (built / target).is_file(), (name, link)
            if fragment and target.endswith(".html"):
                assert fragment in parsed[target].ids, (name, link)


def test_no_page_loads_anything_from_the_network(built: Path) -> None:
    """No src or href leaves the site; the style sheet and script fetch nothing either."""
    for name, text in pages(built).items():
        for link in Page(text).links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, (name, link)
    for asset in ("site.css", "site.js"):
        text = (built / "assets" / asset).read_text(encoding="utf-8")
        assert not re.search(r"https?:|@import|url\(|fetch\(|XMLHttpRequest", text), asset


def test_every_figure_id_appears(built: Path) -> None:
    """Every figure has a row in the table and a marked quote on its source's page."""
    figures = Page((built / "figures.html").read_text(encoding="utf-8"))
    for f in DATA.figures:
        assert f.figure_id in figures.ids
        text = (built / f"source-{f.source_id}.html").read_text(encoding="utf-8")
        assert re.search(rf'<mark class="q" data-f="{f.figure_id}" id="{f.figure_id}"', text)


def test_the_returned_chart_has_a_point_for_each_returned_total(built: Path) -> None:
    """The returned-people chart has 516 (RFE/RL), 595 (Kylym Shamy, pitch) and 607 (WSJ)."""
    page = Page((built / "counts.html").read_text(encoding="utf-8"))
    points = [p for p in page.points if p["chart"] == "chart-returned"]
    shown = [f for f in DATA.figures if RETURNED.shows(f)]
    assert sorted(p["data-figure-id"] for p in points) == sorted(f.figure_id for f in shown)
    values = {(p["data-source"], p.get("data-value")) for p in points if p["tag"] == "circle"}
    assert {
        ("rferl-women-who-came-home", "516"),
        ("kylym-shamy-report", "595"),
        ("mercury-media-pitch", "595"),
        ("wsj-oneal-op-ed", "607"),
    } <= values
    assert {c.key for c in CHARTS} <= {
        i.removeprefix("chart-") for i in page.ids if i.startswith("chart-")
    }


def test_text_with_ampersands_and_angle_brackets_is_escaped(pkg: Path, tmp_path: Path) -> None:
    """A quote with & and <, and a source's url, appear as text, never as markup or a link."""
    seed = pkg / "seeds" / "kylym-shamy-report.txt"
    text = re.sub(r"During the\s+four", "During <the> &\nfour", seed.read_text(encoding="utf-8"))
    seed.write_text(text, encoding="utf-8")
    for table in ("figures", "mentions", "roles"):
        rows = read_rows(pkg / "dataset" / f"{table}.csv")
        for row in rows:
            row["quote"] = row["quote"].replace("During the four", "During <the> & four")
        write_rows(pkg / "dataset" / f"{table}.csv", rows)
    sources = read_rows(pkg / "dataset" / "sources.csv")
    kylym = next(r for r in sources if r["source_id"] == "kylym-shamy-report")
    kylym["sha256"] = hashlib.sha256(seed.read_bytes()).hexdigest()
    sources[0]["url"] = "https://example.org/pitch?a=1&b=<2>"
    write_rows(pkg / "dataset" / "sources.csv", sources)
    refresh_hashes(pkg)
    out = tmp_path / "site"
    write_site(out, str(pkg))
    for name, text in pages(out).items():
        assert "<the>" not in text and "<2>" not in text, name
        assert Page(text).errors == [], name
    source = (out / "source-kylym-shamy-report.html").read_text(encoding="utf-8")
    assert re.search(r'id="kylym-03"[^>]*>(<mark[^>]*>)*During &lt;the&gt; &amp;\nfour', source)
    assert "During &lt;the&gt; &amp; four" in (out / "figures.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "https://example.org/pitch?a=1&amp;b=&lt;2&gt;" in index
    assert not any("example.org" in link for link in Page(index).links)


def test_quotes_map_back_onto_the_original_text() -> None:
    """Overlapping quotes found with whitespace collapsed nest and keep the text's line breaks."""
    text = "Alpha  beta\n  gamma & <delta> 12\nepsilon 12 zeta"
    quotes = {"a": "beta gamma & <delta> 12", "b": "<delta> 12 epsilon"}
    figs = [
        DATA.figures[0].model_copy(update={"figure_id": k, "quote": q, "stated": "12"})
        for k, q in quotes.items()
    ]
    out = site_text.marked(text, site_text.spans(text, figs))
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text
    assert Page(out).errors == []
    assert re.search(r'id="a"[^>]*>beta\n  gamma &amp; <mark[^>]*id="b"[^>]*>&lt;delta&gt; ', out)
    assert '<b class="n" data-f="a"><b class="n" data-f="b">12</b></b>' in out
    assert out.count('data-f="b"') == 3  # quote split in two, then its number


def test_a_failure_midway_leaves_no_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while writing leaves neither the site folder nor a temporary one behind."""
    calls = []

    def fail(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    monkeypatch.setattr(site, "_write_file", fail)
    with pytest.raises(OSError, match="disk full"):
        write_site(tmp_path / "site")
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []


def test_a_failure_keeps_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rewriting a site that fails midway leaves the previous site as it was."""
    out = tmp_path / "site"
    write_site(out)
    (out / "index.html").write_text("previous", encoding="utf-8")

    def fail(path: Path, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(site, "_write_file", fail)
    with pytest.raises(OSError):
        write_site(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    monkeypatch.undo()
    assert out / "index.html" in write_site(out)
    assert (out / "index.html").read_text(encoding="utf-8") != "previous"


def test_a_folder_of_other_files_is_not_replaced(tmp_path: Path) -> None:
    """A non-empty folder that is not a site written by zhusan is refused and left alone."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_site(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.fixture(scope="module")
def release_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the bundled package, dated 2025-06-01."""
    out = tmp_path_factory.mktemp("release") / "release"
    zhusan.release(out, date=date(2025, 6, 1))
    return out


@pytest.fixture(scope="module")
def built_with_release(tmp_path_factory: pytest.TempPathFactory, release_folder: Path) -> Path:
    """The site of the bundled package with its release's Downloads page."""
    out = tmp_path_factory.mktemp("site-release") / "site"
    write_site(out, release=release_folder)
    return out


def test_the_downloads_page_lists_every_release_file(
    built_with_release: Path, release_folder: Path
) -> None:
    """Each release file is linked, copied unchanged, with its size and full SHA-256."""
    text = (built_with_release / "downloads.html").read_text(encoding="utf-8")
    page = Page(text)
    files = sorted(p.name for p in release_folder.iterdir())
    assert len(files) == 8
    for name in files:
        data = (release_folder / name).read_bytes()
        assert f"downloads/{name}" in page.links
        assert (built_with_release / "downloads" / name).read_bytes() == data
        assert hashlib.sha256(data).hexdigest() in text
        assert f'title="{len(data):,} bytes"' in text
    assert 'href="downloads.html"' in (built_with_release / "index.html").read_text("utf-8")


def test_a_site_with_a_release_parses_and_its_links_resolve(built_with_release: Path) -> None:
    """With the Downloads page, every page still parses and every link resolves."""
    parsed = {name: Page(text) for name, text in pages(built_with_release).items()}
    assert "downloads.html" in parsed
    for name, page in parsed.items():
        assert page.errors == [], name
        for link in page.links:
            target = link.partition("#")[0] or name
            assert (built_with_release / target).is_file(), (name, link)


def test_a_tampered_release_file_is_refused(release_folder: Path, tmp_path: Path) -> None:
    """A release file that no longer matches SHA256SUMS stops the site; nothing is written."""
    copy = tmp_path / "release"
    shutil.copytree(release_folder, copy)
    (copy / "CITATION.cff").write_text("changed\n", encoding="utf-8")
    with pytest.raises(zhusan.UnusableInput, match=r"CITATION\.cff does not match its SHA-256"):
        write_site(tmp_path / "site", release=copy)
    assert not (tmp_path / "site").exists()


def test_the_cite_box_quotes_citation_cff(built: Path, built_with_release: Path) -> None:
    """The overview cites the package from CITATION.cff: version, and the date once released."""
    version = zhusan.__version__
    index = (built / "index.html").read_text(encoding="utf-8")
    assert '<section class="cite" id="cite"><h2>Cite this</h2>' in index
    assert f"(Version {version}) [Data set]" in index and "not a release" in index
    released = (built_with_release / "index.html").read_text(encoding="utf-8")
    assert "zhusan-data contributors (2025)" in released and "released 2025-06-01" in released
    assert "cite the archived source of each number you use" in released


def _ticks(svg: str) -> list[float]:
    pattern = r'class="tick"[^>]*text-anchor="end">([0-9,.]+)<'  # the value axis's ticks
    return [float(t.replace(",", "")) for t in re.findall(pattern, svg)]


def test_a_vague_bar_alone_does_not_set_the_axis(built: Path) -> None:
    """The returned-people axis ends just above 607, not at 1,250 for "hundreds" (to 1,000)."""
    counts = (built / "counts.html").read_text(encoding="utf-8")
    for ident in ("chart-returned", "chart-returned-narrow"):
        svg = re.search(rf'<svg id="{ident}".*?</svg>', counts, re.DOTALL)
        assert svg is not None
        assert max(_ticks(svg.group())) == 800
        vague = re.search(r'<line class="bar vague" data-figure-id="rferl-04"[^>]*>', svg.group())
        assert vague is not None and 'y2="12' in vague.group()  # cut at the top of the axis


def test_the_axis_is_set_by_vague_bars_when_nothing_else_is_stated() -> None:
    """A chart of vague figures only still gets an axis that holds them."""
    vague = [f for f in DATA.figures if f.value is None and f.group][:1]
    assert vague
    chart = site_chart.Chart("x", "X", "other", measures=frozenset({vague[0].measure}))
    svg = site_chart.svg(chart, vague, {vague[0].source_id: "#000"}, range(2019, 2022))
    upper = site_chart.interval(vague[0].qualifier, vague[0].value).upper
    assert upper is not None and max(_ticks(svg)) >= upper


# In headless Chromium ---------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 at a free port."""
    handler = functools.partial(_Quiet, directory=str(built))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped when either is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed", exc_type=ImportError
    )
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A browser page that records console errors, failed loads and requests leaving the site."""

    def __init__(self, browser: Any, base: str, width: int = 1280) -> None:
        self.base, self.errors, self.outside = base, [], []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(r.url))

    def _failed(self, request: Any) -> None:
        # Chromium drops a pending icon request when the next page is opened: not an error.
        if not (request.url.endswith("favicon.svg") and "ERR_ABORTED" in request.failure):
            self.errors.append(f"{request.url}: {request.failure}")

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, name: str) -> Any:
        """Load a page of the site and return it."""
        self.page.goto(self.base + name, wait_until="load")
        return self.page


@pytest.fixture
def tab(browser: Any, served: str) -> Iterator[Tab]:
    """A fresh browser tab on the served site."""
    t = Tab(browser, served)
    yield t
    t.context.close()


def screenshot(page: Any, tmp_path: Path, name: str, full_page: bool = True) -> Path:
    """Save a screenshot to the test's folder and, if ZHUSAN_SCREENSHOTS is set, there too."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("ZHUSAN_SCREENSHOTS"):
        folder = Path(os.environ["ZHUSAN_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=full_page)
    return path


@pytest.mark.slow
def test_pages_load_without_errors_or_outside_requests(tab: Tab, built: Path) -> None:
    """Every page loads in Chromium with no console error and no request leaving the site."""
    names = sorted(pages(built))
    for name in names:
        tab.open(name)
    assert len(names) == 4 + len(DATA.sources)
    assert tab.errors == []
    assert tab.outside == []


@pytest.mark.slow
def test_the_returned_chart_is_visible_with_its_points(tab: Tab, tmp_path: Path) -> None:
    """The returned-people chart shows one mark per figure and a point per stated number."""
    page = tab.open("counts.html")
    chart = page.locator("#chart-returned")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 500
    shown = [f for f in DATA.figures if RETURNED.shows(f)]
    assert chart.locator("[data-figure-id]").count() == len(shown) == 5
    assert chart.locator("circle.point").count() == sum(f.value is not None for f in shown) == 4
    assert all(p.is_visible() for p in chart.locator("circle.point").all())
    assert screenshot(page, tmp_path, "counts.png").stat().st_size > 10_000
    assert tab.errors == []


@pytest.mark.slow
def test_typing_in_the_filter_narrows_the_figures_table(tab: Tab) -> None:
    """Typing terms hides the rows that lack any of them and says how many are left."""
    page = tab.open("figures.html")
    rows = page.locator("#figures-table tbody tr")
    assert rows.count() == len(DATA.figures)
    page.fill("#filter", "children kylym")
    visible = page.locator("#figures-table tbody tr:visible")
    texts = [t.lower() for t in visible.all_inner_texts()]
    assert 0 < len(texts) < len(DATA.figures)
    assert all("children" in t and "kylym" in t for t in texts)
    assert page.inner_text("#filter-count") == f"{len(texts)} of {len(DATA.figures)} figures"
    page.fill("#filter", "")
    assert page.locator("#figures-table tbody tr:visible").count() == len(DATA.figures)


@pytest.mark.slow
def test_clicking_a_column_heading_sorts_the_figures_table(tab: Tab) -> None:
    """Clicking "value" sorts rows by number, ascending, then descending."""
    page = tab.open("figures.html")
    page.click("#figures-table th:nth-child(4) button")
    cells = page.locator("#figures-table tbody td:nth-child(4)")
    values = [float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.sort)") if v]
    assert values == sorted(values) and len(values) > 50
    page.click("#figures-table th:nth-child(4) button")
    assert page.get_attribute("#figures-table th:nth-child(4)", "aria-sort") == "descending"
    first = page.locator("#figures-table tbody tr").first.get_attribute("id")
    assert first == max(DATA.figures, key=lambda f: f.value or 0).figure_id


@pytest.mark.slow
def test_clicking_a_figure_shows_its_highlighted_quote(tab: Tab, tmp_path: Path) -> None:
    """Clicking the row of wsj-12 opens the WSJ text with its quote marked, 607 inside."""
    page = tab.open("figures.html")
    page.fill("#filter", "wsj-12")
    page.click("#figures-table tr[id='wsj-12'] td.quote")
    page.wait_for_url("**/source-wsj-oneal-op-ed.html#wsj-12")
    mark = page.locator("mark[id='wsj-12']")
    mark.wait_for(state="visible")
    assert "607" in mark.inner_text()
    box, view = mark.bounding_box(), page.viewport_size
    assert box is not None and 0 <= box["y"] < view["height"]
    assert page.locator("b.n.current").inner_text() == "607"
    assert "wsj-12" in page.inner_text("#focus")
    assert screenshot(page, tmp_path, "quote.png", full_page=False).stat().st_size > 10_000
    assert screenshot(page, tmp_path, "source-wsj-12.png").stat().st_size > 10_000
    assert tab.errors == []


def test_the_report_reads_the_package_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zhusan report` (zhusan.site) reads and validates the package's files one time."""
    from zhusan.checks import package

    calls = []
    real = package.read_package

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(package, "read_package", counted)
    zhusan.site(tmp_path / "site")
    assert len(calls) == 1


@pytest.fixture
def phone(browser: Any, served: str) -> Iterator[Tab]:
    """A fresh browser tab 390 CSS pixels wide, a phone held upright."""
    t = Tab(browser, served, width=390)
    yield t
    t.context.close()


#: The smallest on-screen size, in CSS pixels, at which a chart's label counts as readable.
READABLE_PX = 10

_LABELS = """svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll("text.label")).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
            left: r.left - box.left, right: r.right - box.left, top: r.top, bottom: r.bottom,
            width: box.width};
  });
}"""


@pytest.mark.slow
def test_charts_are_readable_on_a_phone(phone: Tab, tmp_path: Path) -> None:
    """At 390 px every chart's labels are at least 10 px, inside the chart, and do not overlap."""
    page = phone.open("counts.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for chart in CHARTS:
        assert not page.locator(f"#chart-{chart.key}").is_visible()
        svg = page.locator(f"#chart-{chart.key}-narrow")
        svg.scroll_into_view_if_needed()
        assert svg.is_visible(), chart.key
        labels = svg.evaluate(_LABELS)
        assert labels, chart.key
        for label in labels:
            assert label["px"] >= READABLE_PX, (chart.key, label)
            assert label["left"] >= -0.5 and label["right"] <= label["width"] + 0.5, label
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                apart = a["right"] <= b["left"] or b["right"] <= a["left"]
                assert apart or a["bottom"] <= b["top"] or b["bottom"] <= a["top"], (a, b)
    assert screenshot(page, tmp_path, "counts-390.png").stat().st_size > 10_000
    assert phone.errors == []


@pytest.mark.slow
def test_wide_screens_show_the_wide_charts(tab: Tab) -> None:
    """At 1280 px the wide chart shows and the phone's is hidden."""
    page = tab.open("counts.html")
    assert page.locator("#chart-returned").is_visible()
    assert not page.locator("#chart-returned-narrow").is_visible()


def _column(page: Any, n: int) -> list[str]:
    return page.locator(f"#figures-table tbody td:nth-child({n})").evaluate_all(
        "cs => cs.map(c => c.dataset.sort)"
    )


@pytest.mark.slow
def test_intervals_sort_as_numbers(tab: Tab) -> None:
    """Sorting by interval orders by lower then upper bound as numbers, not as text."""
    page = tab.open("figures.html")
    page.click("#figures-table th:nth-child(5) button")
    keys = [[float(x) for x in k.split()] for k in _column(page, 5)]
    assert len(keys) == len(DATA.figures)
    assert keys == sorted(keys)
    assert keys[0][0] == float("-inf") or keys[0][0] <= keys[-1][0]
    assert any(k[0] >= 1000 for k in keys) and any(k[0] < 100 for k in keys)
    page.click("#figures-table th:nth-child(5) button")
    descending = [[float(x) for x in k.split()] for k in _column(page, 5)]
    assert descending == sorted(keys, reverse=True)


@pytest.mark.slow
def test_empty_values_sort_last_both_ways(tab: Tab) -> None:
    """Figures with no value ("hundreds") come last, ascending and descending."""
    page = tab.open("figures.html")
    empty = sum(f.value is None for f in DATA.figures)
    assert empty > 0
    for _ in ("ascending", "descending"):
        page.click("#figures-table th:nth-child(4) button")
        values = _column(page, 4)
        assert values[-empty:] == [""] * empty
        assert "" not in values[:-empty]
