"""Benchmark ``zhusan validate`` on packages that grow as real ones do, with every engine.

    python benchmarks/growth_bench.py --rows N --out DIR [--json] [--engines fast,pydantic,duckdb]
                                      [--family-sizes 30,300,3000,10000] [--timeout S]
                                      [--memory-cap MB] [--memory-limit 300MB]

Unlike ``validate_bench.py``, which replicates the bundled figures, this writes a package from
scratch (DIR/clean and DIR/faulty): many sources, each with its own archived text, reporting the
same totals over the years; many measures, groups, scopes and dates; families (the figures that
count one thing: family of measures, group, scope) of 1 to 12 figures from distinct sources;
women + children against their combined figure; breakdowns into rounds; and disagreements that
a discrepancies row explains (their finding ids are computed by zhusan's own consistency checks,
so they stay right whatever the rules become). The faulty package has faults of every kind:
cell errors, row rules, duplicate and dangling keys, quotes not in their source, intervals that
do not follow from their qualifier, breakdowns that do not add up, combined groups that do not
add up and disagreements nobody explained. DIR/faulty/truth.jsonl lists them.

Then the adversarial families, each added to a copy of the bundled package: the issue's case
(300 figures: 100 copies each of one returned figure as women, children and women and children)
and families of disagreeing figures of each ``--family-sizes`` size (two values, two sources).
For each: ``validate`` with every engine, ``conflicts`` and the consistency checks alone, each
in a fresh process stopped at ``--timeout`` seconds or ``--memory-cap`` MB.

Prints time, peak memory, rows/s, faults found and, per family size, the consistency checks'
time, with each of the issue's targets met or NOT met. Exit 0 when everything ran (targets met
or not), 2 when a command crashed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhusan.engines.frame import columns
from zhusan.files.descriptor import bundled_root
from zhusan.model.fields import JUSTICE_MEASURES
from zhusan.model.tables import TABLES

_spec = importlib.util.spec_from_file_location(
    "validate_bench", Path(__file__).with_name("validate_bench.py")
)
assert _spec is not None and _spec.loader is not None
vb = importlib.util.module_from_spec(_spec)
sys.modules["validate_bench"] = vb
_spec.loader.exec_module(vb)

MB = 1_000_000

#: The least work any engine must do beyond the typed read (``validate_bench.FLOOR_ALL``): read
#: every archived document, hash it and fold its whitespace, and search each distinct (source,
#: quote) pair in its document, in plain Python (``in``, as a C loop) with nothing else: no
#: cell checks, no keys, no consistency. If this alone is past twice the typed read, the
#: issue's "validate within 2x the pyarrow read" cannot be met by any engine doing the checks.
FLOOR_WORK = (
    vb.FLOOR_ALL
    + """
import hashlib
descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
paths = {r["name"]: root / r["path"] for r in descriptor["resources"]}
texts = {}
sources = pc.read_csv(paths["sources"], convert_options=pc.ConvertOptions(
    column_types={c: pa.string() for c in ("source_id", "path", "sha256")}))
for sid, path, sha in zip(*(sources[c].to_pylist() for c in ("source_id", "path", "sha256"))):
    data = (root / path).read_bytes()
    if hashlib.sha256(data).hexdigest() == sha:
        texts[sid] = " ".join(data.decode("utf-8", errors="replace").split())
missing = 0
for name in ("figures", "definitions", "mentions", "roles"):
    t = pc.read_csv(paths[name], convert_options=pc.ConvertOptions(
        include_columns=["source_id", "quote"],
        column_types={"source_id": pa.string(), "quote": pa.string()}))
    pairs = set(zip(t["source_id"].to_pylist(), t["quote"].to_pylist()))
    missing += sum(1 for s, q in pairs if q and (s not in texts or q not in texts[s]))
print(missing)
"""
)
ENGINES = ("fast", "pydantic", "duckdb")
#: Measures and the words a sentence uses for them; the first five are compared across sources.
MEASURES = {
    "returned": "came home",
    "in-programme": "were in the programme",
    "arrested": "were arrested",
    "prosecuted": "were prosecuted",
    "held-accountable": "were held accountable",
    "camp-population": "lived in the camps",
    "left-for-syria-iraq": "had left for Syria and Iraq",
    "rehabilitated": "finished rehabilitation",
}
GROUPS = ("all", "men", "women", "children", "orphans", "adults", "families")
#: Family sizes, drawn: most things are counted by a few sources, some by a dozen.
SIZES = (1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 12)
ROW_KINDS = (
    "wrong-type",
    "enum",
    "id-pattern",
    "missing-required",
    "bad-date",
    "lower-above-upper",
    "percent-over-100",
    "stated-not-in-quote",
    "duplicate-key",
    "foreign-key",
    "quote-not-found",
    "interval-rule",
)
FINDING_KINDS = ("unexplained-disagreement", "breakdown-not-adding-up", "combined-not-adding-up")
KIND_FIELD = dict(vb.KIND_FIELD) | {"bad-date": "as_of"}
#: Numbers that read well in a sentence, with the qualifiers that keep a family consistent.
QUALIFIED = (("exact", ""), ("about", "about "), ("at_least", "at least "))


# --- writing a package ----------------------------------------------------------------------


@dataclass
class Fig:
    """One figure row being generated, with the sentence of its source it quotes."""

    cells: dict[str, str]
    role: str = "plain"  # plain, part, parent, trio, explained
    family: int = -1


@dataclass
class Package:
    """The tables of a generated package and the archived text of each source."""

    figures: list[Fig] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)
    families: dict[int, list[int]] = field(default_factory=dict)  # family -> figure indexes
    breakdowns: list[tuple[int, list[int]]] = field(default_factory=list)  # parent, parts


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def interval(qualifier: str, v: float) -> tuple[str, str, str]:
    from zhusan.model.intervals import interval as iv

    i = iv(qualifier, v)
    lo = "" if i.lower is None else number(i.lower)
    hi = "" if i.upper is None else number(i.upper)
    return lo, hi, i.bounds


def figure(
    pkg: Package,
    sid: str,
    fid: str,
    value: int,
    qualifier: str,
    word: str,
    measure: str,
    group: str,
    scope: str,
    as_of: str,
    **more: str,
) -> dict[str, str]:
    """A figure row and the sentence of its source that it quotes."""
    stated = f"{value:,}"
    who = "people" if group == "all" else group.replace("_", " ")
    sentence = f"In {scope}, {word}{stated} {who} {MEASURES[measure]} by {as_of} ({fid})."
    pkg.texts.setdefault(sid, []).append(sentence)
    lo, hi, bounds = interval(qualifier, value)
    return {
        "figure_id": fid,
        "source_id": sid,
        "quote": sentence,
        "stated": stated,
        "value": str(value),
        "unit": "persons",
        "qualifier": qualifier,
        "lower": lo,
        "upper": hi,
        "bounds": bounds,
        "measure": measure,
        "group": group,
        "scope": scope,
        "as_of": as_of,
        "date_basis": "stated",
        "derivation": "stated",
        "attribution": "own",
        "legal_stage": measure.replace("-", "_") if measure in JUSTICE_MEASURES else "",
    } | more


def generate_figures(n: int, rng: random.Random) -> Package:
    """About ``n`` consistent figures: families, trios, breakdowns and explained conflicts."""
    pkg = Package()
    sources = [f"src-{i:05d}" for i in range(max(20, n // 40))]
    scopes = [f"scope-{i:04d}" for i in range(max(5, n // 150))]
    measures = list(MEASURES)
    count = 0
    fam = 0

    def add(f: Fig) -> int:
        pkg.figures.append(f)
        pkg.families.setdefault(f.family, []).append(len(pkg.figures) - 1)
        return len(pkg.figures) - 1

    while len(pkg.figures) < n:
        fam += 1
        scope = rng.choice(scopes)
        shape = rng.random()
        value = rng.randrange(20, 5000)
        if shape < 0.08:  # women + children and their combined figure, from each source
            w = rng.randrange(10, 500)
            c = rng.randrange(10, 500)
            scope = f"trio-{fam}"
            for sid in rng.sample(sources, rng.choice((1, 2, 3))):
                year = str(rng.randrange(2015, 2025))
                for group, v in (("women", w), ("children", c), ("women_and_children", w + c)):
                    count += 1
                    cells = figure(
                        pkg, sid, f"f-{count}", v, "exact", "", "returned", group, scope, year
                    )
                    add(Fig(cells, "trio", fam))
            continue
        if shape < 0.14:  # a breakdown into rounds (parts scoped to the source: no pairs)
            sid = rng.choice(sources)
            year = str(rng.randrange(2015, 2025))
            count += 1
            parent_id = f"f-{count}"
            cells = figure(
                pkg, sid, parent_id, value, "exact", "", "returned", "all", f"rounds-{fam}", year
            )
            parent = add(Fig(cells, "parent", fam))
            parts, left = [], value
            k = rng.randrange(2, 5)
            for r in range(k):
                v = left if r == k - 1 else rng.randrange(1, max(2, left - (k - r)))
                left -= v
                count += 1
                cells = figure(
                    pkg,
                    sid,
                    f"f-{count}",
                    v,
                    "exact",
                    "",
                    "returned",
                    "all",
                    f"rounds-{fam}-r{r}",
                    year,
                    parent_id=parent_id,
                    axis="round",
                    exhaustive="true",
                )
                parts.append(add(Fig(cells, "part", fam)))
            pkg.breakdowns.append((parent, parts))
            continue
        measure = rng.choice(measures)
        group = rng.choice(GROUPS)
        size = rng.choice(SIZES)
        explained = shape > 0.985 and size >= 2
        for j, sid in enumerate(rng.sample(sources, size)):
            year = rng.randrange(2015, 2025)
            as_of = f"{year}-{rng.randrange(1, 13):02d}" if rng.random() < 0.5 else str(year)
            qualifier, word = rng.choice(QUALIFIED)
            v = value
            if qualifier == "at_least":
                v = max(1, value - rng.randrange(0, 10))
            if explained and j == 0:  # one source counts something else: explained below
                v, qualifier, word = value * 3, "exact", ""
            count += 1
            cells = figure(pkg, sid, f"f-{count}", v, qualifier, word, measure, group, scope, as_of)
            add(Fig(cells, "explained" if explained else "plain", fam))
    return pkg


def explanations(pkg: Package) -> list[dict[str, str]]:
    """A discrepancies row for every finding of the consistent figures (zhusan's own rules)."""
    import polars as pl

    from zhusan.checks.consistency import FIGURE_COLUMNS, finding_frame
    from zhusan.checks.coverage_rules import COVERAGE_COLUMNS, coverage_finding_frame

    cols = sorted({*FIGURE_COLUMNS, *COVERAGE_COLUMNS})
    rows = [{c: f.cells.get(c, "") for c in cols} for f in pkg.figures]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(cols, pl.String))
    found = pl.concat(
        [
            finding_frame(frame.select(FIGURE_COLUMNS)),
            coverage_finding_frame(frame.select(COVERAGE_COLUMNS)),
        ],
        how="diagonal",
    )
    return [
        {
            "discrepancy_id": f"d-{i}",
            "finding_id": r["finding_id"],
            "rule": r["rule"],
            "figure_ids": ";".join(r["ids"]),
            "kind": "scope",
            "basis": "inferred",
            "explanation": "The sources count different things under one name.",
        }
        for i, r in enumerate(found.iter_rows(named=True), start=1)
    ]


def entity_tables(pkg: Package) -> dict[str, list[dict[str, str]]]:
    """Places, events, people, organisations, roles and mentions, every one attested."""
    sid = sorted(pkg.texts)[0]
    roster = "Named here: the camp at Sandy Hollow, the return flights, Ada Bek of the ministry."
    pkg.texts[sid].append(roster)
    return {
        "organizations": [
            {"organization_id": "ministry", "name": "The Ministry", "kind": "ministry"}
        ],
        "places": [{"place_id": "sandy-hollow", "name": "Sandy Hollow", "kind": "camp"}],
        "people": [
            {"person_id": "ada-bek", "name": "Ada Bek", "kind": "official", "naming": "full_name"}
        ],
        "roles": [
            {
                "role_id": "ada-bek-role",
                "person_id": "ada-bek",
                "title": "Officer",
                "organization_id": "ministry",
                "tense": "current",
                "source_id": sid,
                "quote": "Ada Bek of the ministry",
            }
        ],
        "events": [{"event_id": "flights", "name": "Return flights", "kind": "operation"}],
        "mentions": [
            {
                "mention_id": "m-1",
                "source_id": sid,
                "place_id": "sandy-hollow",
                "quote": "the camp at Sandy Hollow",
            },
            {
                "mention_id": "m-2",
                "source_id": sid,
                "event_id": "flights",
                "quote": "the return flights",
            },
            {
                "mention_id": "m-3",
                "source_id": sid,
                "person_id": "ada-bek",
                "quote": "Ada Bek of the ministry",
            },
            {
                "mention_id": "m-4",
                "source_id": sid,
                "organization_id": "ministry",
                "quote": "of the ministry",
            },
        ],
    }


def csv_text(name: str, rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns(name)), lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_package(
    dest: Path, tables: dict[str, list[dict[str, str]]], texts: dict[str, list[str]]
) -> None:
    """A package folder: seeds/, data/, datapackage.json with hashes."""
    if dest.exists():
        if any(dest.iterdir()) and not (dest / "datapackage.json").is_file():
            raise SystemExit(f"{dest} exists and is not a package written by this script")
        shutil.rmtree(dest)
    (dest / "seeds").mkdir(parents=True)
    (dest / "data").mkdir()
    sources = []
    for sid, sentences in sorted(texts.items()):
        data = " ".join(sentences).encode("utf-8")
        (dest / "seeds" / f"{sid}.txt").write_bytes(data)
        sources.append(
            {
                "source_id": sid,
                "title": f"Report {sid}",
                "kind": "ngo_report",
                "published_basis": "unknown",
                "path": f"seeds/{sid}.txt",
                "sha256": hashlib.sha256(data).hexdigest(),
                "archived_as": f"{sid}.txt",
                "language": "en",
                "interest": "unknown",
                "interest_note": "Generated for the growth benchmark.",
            }
        )
    resources = []
    for name in TABLES:
        data = csv_text(name, sources if name == "sources" else tables.get(name, []))
        (dest / "data" / f"{name}.csv").write_bytes(data)
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "schema": f"schema/{name}.json",
            }
        )
    (dest / "schema").mkdir()
    for name in TABLES:
        shutil.copyfile(
            bundled_root() / "schema" / f"{name}.json", dest / "schema" / f"{name}.json"
        )
    descriptor = {"name": "growth-bench", "resources": resources}
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")


# --- planting faults ------------------------------------------------------------------------


def plant_row(f: Fig, kind: str, seq: int, dup_id: str | None) -> None:
    """Change a plain figure so that it has the row fault ``kind``."""
    c = f.cells
    if kind == "wrong-type":
        c["value"] = "many"
    elif kind == "enum":
        c["unit"] = "parsecs"
    elif kind == "id-pattern":
        c["figure_id"] = c["figure_id"].upper() if seq % 2 == 0 else c["figure_id"] + " x"
    elif kind == "missing-required":
        c["quote"] = ""
    elif kind == "bad-date":
        c["as_of"] = "2019-02-30"
    elif kind == "lower-above-upper":
        c.update(qualifier="exact", lower=number(float(c["value"]) + 1), upper=c["value"])
        c["bounds"] = "[]"
    elif kind == "percent-over-100":
        c.update(unit="percent", qualifier="exact", bounds="[]", value="150", lower="150")
        c["upper"] = "150"
    elif kind == "stated-not-in-quote":
        c["stated"] = "999999"
    elif kind == "duplicate-key":
        assert dup_id is not None
        c["figure_id"] = dup_id
    elif kind == "foreign-key":
        c["source_id"] = "no-such-source"
    elif kind == "quote-not-found":
        c["quote"] = c["quote"].replace(" by ", " bx ", 1)
    elif kind == "interval-rule":
        c["lower"] = number(float(c["lower"]) - 1) if c["lower"] else "1"
    else:  # pragma: no cover
        raise ValueError(kind)


def plant_faults(pkg: Package, share: float, rng: random.Random) -> list[dict[str, Any]]:
    """Faults of every kind, ``share`` of the rows at least one of each; returns the truth."""
    truth: list[dict[str, Any]] = []
    plain = [i for i, f in enumerate(pkg.figures) if f.role == "plain"]
    rng.shuffle(plain)
    count = max(len(ROW_KINDS) + len(FINDING_KINDS), round(len(pkg.figures) * share))
    used: set[int] = set()
    taken_families: set[int] = set()
    for k in range(count):
        kinds = ROW_KINDS + FINDING_KINDS
        kind = kinds[k % len(kinds)]
        if kind == "unexplained-disagreement":
            i = next(
                (i for i in plain if i not in used and outlier_fits(pkg, i, taken_families)), None
            )
            if i is None:
                continue
            f = pkg.figures[i]
            taken_families.add(f.family)
            used.update(pkg.families[f.family])
            v = max(1, int(f.cells["value"]) // 3 - 1)  # below every other interval
            sid = f.cells["source_id"]
            new = figure(
                pkg,
                sid,
                f.cells["figure_id"],
                v,
                "exact",
                "",
                f.cells["measure"],
                f.cells["group"],
                f.cells["scope"],
                f.cells["as_of"],
            )
            f.cells = new
            truth.append({"kind": kind, "ids": [new["figure_id"]]})
        elif kind == "breakdown-not-adding-up":
            free = [b for b in pkg.breakdowns if b[0] not in used]
            if not free:
                continue
            parent, parts = free[0]
            used.update([parent, *parts])
            p = pkg.figures[parts[0]]
            v = int(p.cells["value"]) + int(pkg.figures[parent].cells["value"]) + 1
            c = p.cells
            new = figure(
                pkg,
                c["source_id"],
                c["figure_id"],
                v,
                "exact",
                "",
                c["measure"],
                c["group"],
                c["scope"],
                c["as_of"],
                parent_id=c["parent_id"],
                axis="round",
                exhaustive="true",
            )
            p.cells = new
            truth.append({"kind": kind, "ids": [pkg.figures[parent].cells["figure_id"]]})
        elif kind == "combined-not-adding-up":
            sid = rng.choice(sorted(pkg.texts))
            scope = f"bad-trio-{k}"
            ids = []
            for group, v in (("women", 40), ("children", 60), ("women_and_children", 300)):
                fid = f"bad-{k}-{group.replace('_', '-')}"
                cells = figure(pkg, sid, fid, v, "exact", "", "returned", group, scope, "2020")
                pkg.figures.append(Fig(cells, "bad-trio"))
                used.add(len(pkg.figures) - 1)
                ids.append(fid)
            truth.append({"kind": kind, "ids": [ids[-1]]})
        else:
            i = next((i for i in plain if i not in used), None)
            if i is None:
                continue
            used.add(i)
            dup_id = None
            if kind == "duplicate-key":
                j = next((j for j in plain if j not in used and j < i), None)
                if j is None:
                    continue
                used.add(j)
                dup_id = pkg.figures[j].cells["figure_id"]
            plant_row(pkg.figures[i], kind, k, dup_id)
            truth.append({"kind": kind, "index": i, "field": KIND_FIELD[kind]})
    return truth


def outlier_fits(pkg: Package, i: int, taken: set[int]) -> bool:
    """Figure ``i`` may become an outlier: its family has others, all plain, none taken."""
    family = pkg.figures[i].family
    members = pkg.families.get(family, [])
    return (
        family not in taken
        and len(members) >= 2
        and all(pkg.figures[j].role == "plain" for j in members)
    )


def generate(n: int, out: Path, share: float, seed: int) -> dict[str, Any]:
    """DIR/clean and DIR/faulty; returns the truth and the sizes."""
    rng = random.Random(seed)
    pkg = generate_figures(n, rng)
    entities = entity_tables(pkg)
    discrepancies = explanations(pkg)
    named = {i for d in discrepancies for i in d["figure_ids"].split(";")}
    for f in pkg.figures:  # a fault on a figure an explanation names would change a finding
        if f.cells["figure_id"] in named:
            f.role = "explained"
    clean_tables = entities | {
        "figures": [f.cells for f in pkg.figures],
        "discrepancies": discrepancies,
    }
    write_package(out / "clean", clean_tables, pkg.texts)
    truth = plant_faults(pkg, share, rng)
    rows = {id(f): r for r, f in enumerate(pkg.figures, start=2)}
    for t in truth:
        if "index" in t:
            t.update(table="figures", row=rows[id(pkg.figures[t.pop("index")])])
    faulty_tables = entities | {
        "figures": [f.cells for f in pkg.figures],
        "discrepancies": discrepancies,
    }
    write_package(out / "faulty", faulty_tables, pkg.texts)
    with (out / "faulty" / "truth.jsonl").open("w", encoding="utf-8") as fh:
        for t in truth:
            fh.write(json.dumps(t) + "\n")
    return {
        "figures": len(pkg.figures),
        "sources": len(pkg.texts),
        "families": len(pkg.families),
        "largest_family": max(len(v) for v in pkg.families.values()),
        "scopes": len({f.cells["scope"] for f in pkg.figures}),
        "discrepancies": len(discrepancies),
        "truth": truth,
        "figures_bytes": (out / "clean" / "data" / "figures.csv").stat().st_size,
    }


def score(truth: list[dict[str, Any]], report: dict[str, Any]) -> dict[str, Any]:
    """Planted faults found and errors elsewhere (a finding fault: its figure named)."""
    if report.get("errors_truncated"):
        raise vb.Crash("the faulty report does not list every error: it cannot be scored")
    errors = report.get("errors", [])
    at_row = {(e.get("table"), e.get("row")) for e in errors}
    findings = [e["message"] for e in errors if e["code"] == "unexplained-finding"]
    found, missed = [], []
    for t in truth:
        if "row" in t:
            hit = (t["table"], t["row"]) in at_row
        else:
            hit = any(all(_names(m, i) for i in t["ids"]) for m in findings)
        (found if hit else missed).append(t)
    planted_rows = {(t["table"], t["row"]) for t in truth if "row" in t}
    planted_ids = [i for t in truth if "ids" in t for i in t["ids"]]
    extra = [
        e
        for e in errors
        if (
            e["code"] == "unexplained-finding"
            and not any(_names(e["message"], i) for i in planted_ids)
        )
        or (
            e["code"] != "unexplained-finding"
            and (e.get("table"), e.get("row")) not in planted_rows
        )
    ]
    kinds = Counter(t["kind"] for t in truth)
    hits = Counter(t["kind"] for t in found)
    return {
        "planted": len(truth),
        "found": len(found),
        "missed": len(missed),
        "missed_examples": missed[:10],
        "extra_errors": len(extra),
        "extra_by_code": dict(Counter(e["code"] for e in extra)),
        "extra_examples": extra[:5],
        "by_kind": {
            k: {"planted": kinds[k], "found": hits[k]} for k in (*ROW_KINDS, *FINDING_KINDS)
        },
    }


def _names(message: str, fid: str) -> bool:
    """The finding's message or id names figure ``fid`` (as a whole id, not a prefix)."""
    import re

    return re.search(rf"(?<![A-Za-z0-9-]){re.escape(fid)}(?![A-Za-z0-9-])", message) is not None


# --- adversarial families -------------------------------------------------------------------


def family_package(dest: Path, kind: str, size: int) -> int:
    """The bundled package plus one adversarial family; returns its figures rows.

    ``issue``: ``size`` // 3 copies each of one returned figure as women, children and women
    and children (same measure and scope, dates and links emptied: the issue's 300-row case).
    ``disagree``: ``size`` copies of two figures of two sources that disagree (516 and 595
    returned people), half each.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    root = bundled_root()
    shutil.copy2(root / "datapackage.json", dest / "datapackage.json")
    for sub in ("dataset", "schema", "seeds"):
        shutil.copytree(root / sub, dest / sub)
    path = dest / "dataset" / "figures.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["figure_id"]: r for r in rows}
    blank = dict.fromkeys(
        (
            "as_of",
            "period_start",
            "parent_id",
            "axis",
            "exhaustive",
            "subset_of",
            "event_id",
            "place_id",
        ),
        "",
    )
    added = []
    if kind == "issue":
        base = by_id["kylym-03"]
        short = {"women": "w", "children": "c", "women_and_children": "wc"}
        for k in range(size // 3):
            for group, g in short.items():
                added.append(base | blank | {"figure_id": f"grow-{g}{k}", "group": group})
    else:
        a, b = by_id["kylym-03"], by_id["rferl-10"]
        for k in range(size):
            base = a if k % 2 == 0 else b
            added.append(base | blank | {"figure_id": f"grow-{k}", "group": "all", "scope": "grow"})
    rows += added
    header = list(rows[0])
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    from zhusan.api import refresh

    refresh(dest)  # the hashes, and the estimates the added figures change
    return len(rows)


#: Runs a command, polling its memory; stops it past a time or memory cap. Prints the outcome.
WATCH = """
import json, subprocess, sys, time
out, err, cap_mb, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return 0.0
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    p = subprocess.Popen(sys.argv[5:], stdout=o, stderr=e)
    peak, stopped = 0.0, None
    while p.poll() is None:
        peak = max(peak, rss(p.pid))
        if peak > cap_mb:
            stopped = f"stopped past {cap_mb:.0f} MB"
        elif time.perf_counter() - t0 > timeout:
            stopped = f"stopped after {timeout:.0f} s"
        if stopped:
            p.kill()
            p.wait()
            break
        time.sleep(0.02)
    wall = time.perf_counter() - t0
print(json.dumps({"rc": p.returncode, "wall": wall, "peak_mb": peak, "stopped": stopped}))
"""

#: The consistency checks alone on a package's valid figures: prints seconds and findings.
CONSISTENCY = """
import json, sys, time
from zhusan.checks.consistency import FIGURE_COLUMNS, finding_frame
from zhusan.checks.frames import valid_rows
from zhusan.checks.package import read_package
from zhusan.files.descriptor import resolve
pkg = read_package(resolve(sys.argv[1]))
figures = valid_rows(pkg, "figures", *FIGURE_COLUMNS)
t0 = time.perf_counter()
found = finding_frame(figures)
print(json.dumps({"seconds": time.perf_counter() - t0, "findings": found.height}))
"""


def watched(
    label: str, cmd: list[str], work: Path, cap_mb: float, timeout: float
) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process, stopped past ``cap_mb`` or ``timeout``."""
    out, err = work / f"{label}.stdout", work / f"{label}.stderr"
    done = subprocess.run(
        [sys.executable, "-c", WATCH, str(out), str(err), str(cap_mb), str(timeout), *cmd],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise vb.Crash(f"{label}: the watcher failed: {done.stderr.strip()[-2000:]}")
    res: dict[str, Any] = json.loads(done.stdout)
    res["stdout"] = out
    res["stderr"] = err
    return res


def families(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """Every adversarial family: validate with each engine, conflicts, consistency alone."""
    zhusan = vb.zhusan_command()
    cases = [("issue", args.issue_size)] + [("disagree", s) for s in args.family_sizes]
    out = []
    for kind, size in cases:
        dest = args.out.resolve() / "families" / f"{kind}-{size}"
        rows = family_package(dest, kind, size)
        case: dict[str, Any] = {"kind": kind, "size": size, "rows": rows, "runs": {}}
        for engine in args.engines:
            cmd = [
                *zhusan,
                "validate",
                str(dest),
                "--json",
                "--engine",
                engine,
                "--memory-limit",
                args.memory_limit,
            ]
            r = watched(f"{kind}-{size}-{engine}", cmd, work, args.memory_cap, args.timeout)
            if r["stopped"] is None and r["rc"] not in (0, 1):
                raise vb.Crash(f"{kind}-{size} {engine}: exit {r['rc']}: {_tail(r['stderr'])}")
            if r["stopped"] is None:
                rep = json.loads(r["stdout"].read_text(encoding="utf-8"))
                r["error_count"] = rep["error_count"]
                r["errors_by_code"] = rep["errors_by_code"]
            case["runs"][f"validate-{engine}"] = r
        r = watched(
            f"{kind}-{size}-conflicts",
            [*zhusan, "conflicts", str(dest), "--json"],
            work,
            args.memory_cap,
            args.timeout,
        )
        if r["stopped"] is None and r["rc"] not in (0, 1):
            raise vb.Crash(f"{kind}-{size} conflicts: exit {r['rc']}: {_tail(r['stderr'])}")
        if r["stopped"] is None:
            r["findings"] = len(json.loads(r["stdout"].read_text(encoding="utf-8")))
        case["runs"]["conflicts"] = r
        r = watched(
            f"{kind}-{size}-consistency",
            [sys.executable, "-c", CONSISTENCY, str(dest)],
            work,
            args.memory_cap,
            args.timeout,
        )
        if r["stopped"] is None:
            if r["rc"] != 0:
                raise vb.Crash(f"{kind}-{size} consistency: {_tail(r['stderr'])}")
            r |= json.loads(r["stdout"].read_text(encoding="utf-8"))
        case["runs"]["consistency"] = r
        out.append(case)
    return out


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace").strip()[-1500:]


# --- the run --------------------------------------------------------------------------------


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    gen = generate(args.rows, out, args.fault_share, args.seed)
    gen_s = time.perf_counter() - t0
    work = out / "runs"
    work.mkdir(exist_ok=True)
    zhusan = vb.zhusan_command()
    result: dict[str, Any] = {
        "rows": gen["figures"],
        "generated": {k: v for k, v in gen.items() if k != "truth"},
        "generate_s": gen_s,
        "out": str(out),
        "runs": {},
        "engines": list(args.engines),
    }
    reports: dict[str, dict[str, Any]] = {}
    for engine in args.engines:
        for which in ("clean", "faulty"):
            cmd = [
                *zhusan,
                "validate",
                str(out / which),
                "--json",
                "--engine",
                engine,
                "--memory-limit",
                args.memory_limit,
                *vb.KEEP_ALL,
            ]
            label = f"{which}-{engine}"
            r = watched(label, cmd, work, args.memory_cap, 24 * 3600)  # the time is measured
            if r["stopped"] or r["rc"] not in (0, 1):
                raise vb.Crash(
                    f"{label}: {r['stopped'] or 'exit ' + str(r['rc'])}: {_tail(r['stderr'])}"
                )
            reports[label] = vb.read_report({"stdout": r["stdout"]}, label)
            result["runs"][label] = {
                "exit": r["rc"],
                "wall_s": r["wall"],
                "peak_mb": r["peak_mb"],
                "rows_per_s": gen["figures"] / r["wall"],
            }
    for name, code in (("pyarrow_floor_all", vb.FLOOR_ALL), ("floor_of_the_work", FLOOR_WORK)):
        floor = vb.measure(name, [sys.executable, "-c", code, str(out / "clean"), "0"], work, (0,))
        said = floor["stdout"].read_text().split()
        if said[1:] not in ([], ["0"]):  # every quote of the clean package is found in its text
            raise vb.Crash(f"{name}: {said[1]} quotes not found: the floor did not do the work")
        result["runs"][name] = {
            "exit": 0,
            "wall_s": floor["wall_s"],
            "peak_mb": floor["peak_mb"],
            "rows_per_s": gen["figures"] / floor["wall_s"],
        }
    first = args.engines[0]
    result["clean"] = {
        e: {
            "valid": reports[f"clean-{e}"]["valid"],
            "errors_by_code": reports[f"clean-{e}"]["errors_by_code"],
        }
        for e in args.engines
    }
    result["faulty"] = {e: score(gen["truth"], reports[f"faulty-{e}"]) for e in args.engines}
    result["same_report"] = {
        e: reports[f"faulty-{e}"] == reports[f"faulty-{first}"]
        and reports[f"clean-{e}"] == reports[f"clean-{first}"]
        for e in args.engines
    }
    result["families"] = families(args, work) if args.family_sizes is not None else []
    result["targets"] = targets(result, args)
    return result


def targets(r: dict[str, Any], args: argparse.Namespace) -> dict[str, str]:
    """The issue's targets that this run measures, each 'met' or 'NOT met' with its figure."""

    def say(ok: bool, figure: str) -> str:
        return f"{'met' if ok else 'NOT met'} ({figure})"

    out = {}
    runs = r["runs"]
    floor = runs["pyarrow_floor_all"]["wall_s"]
    work = runs["floor_of_the_work"]["wall_s"] / floor
    out["the floor of the work (read, hash, search each quote) <= 2x the pyarrow read"] = say(
        work <= 2, f"{work:.1f}x: a lower bound for every engine"
    )
    for e in r["engines"]:
        ratio = runs[f"clean-{e}"]["wall_s"] / floor
        out[f"{e}: validate <= 2x the pyarrow read of every table"] = say(
            ratio <= 2, f"{ratio:.1f}x"
        )
        f = r["faulty"][e]
        out[f"{e}: every planted fault found"] = say(
            f["found"] == f["planted"], f"{f['found']} of {f['planted']}"
        )
        out[f"{e}: no error on any other row"] = say(
            f["extra_errors"] == 0, f"{f['extra_errors']} {f['extra_by_code']}"
        )
        out[f"{e}: same report as {r['engines'][0]}"] = say(r["same_report"][e], "clean and faulty")
        out[f"{e}: clean package valid"] = say(
            r["clean"][e]["valid"], str(r["clean"][e]["errors_by_code"])
        )
    if "duckdb" in r["engines"]:
        limit = _mb(args.memory_limit)
        peak = max(runs[f"{w}-duckdb"]["peak_mb"] for w in ("clean", "faulty"))
        out["duckdb: peak below the memory limit + 200 MB"] = say(
            peak < limit + 200, f"{peak:.0f} MB, limit {limit:.0f} MB"
        )
    for case in r["families"]:
        name = f"{case['kind']} family of {case['size']}"
        for label, run in case["runs"].items():
            if label == "consistency":
                continue
            budget = 2.0 if case["kind"] == "issue" else (5.0 if case["size"] >= 10_000 else None)
            if budget is None:
                continue
            ok = run["stopped"] is None and run["wall"] < budget
            figure = run["stopped"] or f"{run['wall']:.1f} s, {run['peak_mb']:.0f} MB"
            if case["kind"] == "issue":
                ok = ok and run["peak_mb"] < 400 and run.get("rc") == 1
                bounded = run.get("error_count", run.get("findings"))
                figure += f", {bounded} findings/errors" if bounded is not None else ""
            out[
                f"{name}: {label} under {budget:g} s"
                + (" and 400 MB, exit 1" if case["kind"] == "issue" else "")
            ] = say(ok, figure)
    return out


def _mb(text: str) -> float:
    import re

    m = re.match(r"^\s*([0-9.]+)\s*([KMGT]?)(i?)B?\s*$", text, re.IGNORECASE)
    if not m:
        return float("nan")
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}[m.group(2).upper()]
    if m.group(3):
        scale = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[m.group(2).upper()]
    return float(m.group(1)) * scale / MB


def show(r: dict[str, Any]) -> None:
    g = r["generated"]
    print(
        f"generated {g['figures']:,} figures from {g['sources']:,} sources ({g['families']:,} "
        f"families, largest {g['largest_family']}, {g['scopes']:,} scopes, "
        f"{g['discrepancies']:,} explained findings), figures.csv "
        f"{g['figures_bytes'] / MB:.1f} MB, in {r['generate_s']:.1f} s under {r['out']}"
    )
    print(f"{'run':<22} {'exit':>4} {'wall s':>8} {'peak MB':>8} {'rows/s':>11}")
    for name, run in r["runs"].items():
        print(
            f"{name:<22} {run['exit']:>4} {run['wall_s']:>8.2f} {run['peak_mb']:>8.0f} "
            f"{run['rows_per_s']:>11,.0f}"
        )
    for e, f in r["faulty"].items():
        kinds = ", ".join(f"{k} {v['found']}/{v['planted']}" for k, v in f["by_kind"].items())
        print(
            f"faulty, {e}: found {f['found']} of {f['planted']} planted; extra errors "
            f"{f['extra_errors']} {f['extra_by_code']}"
        )
        print(f"  {kinds}")
        for t in f["missed_examples"]:
            print(f"  missed: {t}")
        for x in f["extra_examples"]:
            print(f"  extra: {x}")
    if r["families"]:
        print("adversarial families (each added to the bundled package):")
        print(f"  {'family':<16} {'run':<18} {'wall s':>8} {'peak MB':>8}  outcome")
        for case in r["families"]:
            for label, run in case["runs"].items():
                outcome = run["stopped"] or (
                    f"exit {run['rc']}"
                    + (f", {run['error_count']:,} problems" if "error_count" in run else "")
                    + (f", {run['findings']:,} findings" if "findings" in run else "")
                    + (f", checks alone {run['seconds']:.2f} s" if "seconds" in run else "")
                )
                print(
                    f"  {case['kind'] + ' ' + str(case['size']):<16} {label:<18} "
                    f"{run['wall']:>8.2f} {run['peak_mb']:>8.0f}  {outcome}"
                )
    for target, met in r["targets"].items():
        print(f"  target {target}: {met}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="figures rows (about)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the packages")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--engines", default=",".join(ENGINES), help="engines to run")
    parser.add_argument(
        "--family-sizes",
        default="30,300,3000,10000",
        help="sizes of the disagreeing families ('none': no family runs)",
    )
    parser.add_argument(
        "--issue-size", type=int, default=300, help="figures of the issue's case (a third each)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per command on a family"
    )
    parser.add_argument("--memory-cap", type=float, default=6000.0, help="MB per command")
    parser.add_argument("--memory-limit", default="300MB", help="the duckdb engine's limit")
    parser.add_argument("--fault-share", type=float, default=0.002, help="share of rows broken")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    args.engines = tuple(e for e in args.engines.split(",") if e)
    if not set(args.engines) <= set(ENGINES) or not args.engines:
        parser.error(f"--engines: a comma-separated list of {', '.join(ENGINES)}")
    args.family_sizes = (
        None if args.family_sizes == "none" else [int(s) for s in args.family_sizes.split(",")]
    )
    if args.rows < 200:
        parser.error("--rows must be at least 200")
    try:
        result = run_all(args)
    except vb.Crash as exc:
        print(f"growth_bench: command crashed: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        show(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
