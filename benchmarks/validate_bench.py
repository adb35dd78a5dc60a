"""Benchmark ``zhusan validate`` on large generated packages, and measure how many faults it finds.

    python benchmarks/validate_bench.py --rows N --out DIR [--json] [--skip-frictionless]
                                        [--repeat K]

Writes DIR/clean/ and DIR/faulty/ (both replaced if they hold an earlier run): complete copies
of the bundled package whose figures.csv has N rows, made by replicating the bundled figures (copy
k gets ids, scope and links, each item of derived_from included, suffixed ``-k<k>``, so every
consistency finding stays inside one copy and is explained by that copy's discrepancies rows;
figure_links holds the links of copy 0). The faulty package has 1 % of its figures rows
broken, one kind of fault per row, listed in DIR/faulty/truth.jsonl ({"table", "row", "field",
"kind"}; the header is row 1, as in zhusan's report).

Then times, each in a fresh subprocess (wall seconds and peak RSS, the median of K runs):
``zhusan validate --json`` on both packages, ``frictionless validate`` on the clean one (once), a
typed pyarrow read of figures.csv as the floor, and the same read of every table of the package
(what zhusan reads) as a second floor. Prints the measurements, the issue's targets met or not,
and, for the faulty package, which planted faults the report found. Exit 0 when everything ran
(even if faults were missed or targets not met), 2 when a command crashed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhusan.files.descriptor import bundled_root
from zhusan.model.tables import TABLES

csv.field_size_limit(16 * 1024 * 1024)

MB = 1_000_000
FAULT_SHARE = 0.01
KINDS = (
    "wrong-type",
    "enum",
    "id-pattern",
    "missing-required",
    "foreign-key",
    "duplicate-key",
    "quote-not-found",
    "bad-date",
    "lower-above-upper",
    "percent-over-100",
    "interval-rule",
    "stated-not-in-quote",
)
#: The field each kind of fault breaks (for row rules: the field that was changed).
KIND_FIELD = {
    "wrong-type": "value",
    "enum": "unit",
    "id-pattern": "figure_id",
    "missing-required": "quote",
    "foreign-key": "source_id",
    "duplicate-key": "figure_id",
    "quote-not-found": "quote",
    "bad-date": "as_of",
    "lower-above-upper": "lower",
    "percent-over-100": "value",
    "interval-rule": "lower",
    "stated-not-in-quote": "stated",
}

#: Every problem listed, none only counted: the faults are scored from the list.
KEEP_ALL = ("--max-per-code", str(sys.maxsize))
#: Runs a command, its stdout and stderr to files; prints its exit code, wall time and peak RSS.
WRAPPER = """
import json, resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    t0 = time.perf_counter()
    rc = subprocess.run(sys.argv[3:], stdout=out, stderr=err).returncode
    wall = time.perf_counter() - t0
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc, "wall": wall, "peak_kib": peak_kib}))
"""

#: The floor: a typed pyarrow read of figures.csv with the column types of its Table Schema.
FLOOR = """
import json, sys
import pyarrow as pa
import pyarrow.csv as pc
kinds = {"string": pa.string(), "number": pa.float64(), "integer": pa.int64(),
         "boolean": pa.bool_(), "list": pa.string()}
with open(sys.argv[2], encoding="utf-8") as fh:
    fields = json.load(fh)["fields"]
types = {f["name"]: kinds[f["type"]] for f in fields}
table = pc.read_csv(
    sys.argv[1],
    parse_options=pc.ParseOptions(newlines_in_values=sys.argv[3] == "1"),
    convert_options=pc.ConvertOptions(
        column_types=types, true_values=["true"], false_values=["false"]
    ),
)
print(table.num_rows)
"""

#: The floor of every table: the same typed read of each CSV the package lists (all of them are
#: what zhusan validate reads). Prints the figures rows.
FLOOR_ALL = """
import json, sys
from pathlib import Path
import pyarrow as pa
import pyarrow.csv as pc
kinds = {"string": pa.string(), "number": pa.float64(), "integer": pa.int64(),
         "boolean": pa.bool_(), "list": pa.string()}
root = Path(sys.argv[1])
rows = 0
for res in json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
    fields = json.loads((root / res["schema"]).read_text(encoding="utf-8"))["fields"]
    table = pc.read_csv(
        root / res["path"],
        parse_options=pc.ParseOptions(newlines_in_values=sys.argv[2] == "1"),
        convert_options=pc.ConvertOptions(
            column_types={f["name"]: kinds[f["type"]] for f in fields},
            true_values=["true"], false_values=["false"],
        ),
    )
    rows = table.num_rows if res["name"] == "figures" else rows
print(rows)
"""


class Crash(Exception):
    """A measured command failed in a way that is not a validation result."""


def collapse(text: str) -> str:
    return " ".join(text.split())


def number(x: float) -> str:
    """A float as the package writes it (no .0 on integers)."""
    return str(int(x)) if x.is_integer() else repr(x)


# --- the template: the bundled figures and discrepancies -------------------------------------

#: Stands for a cell that changes from copy to copy while the template rows are CSV-encoded.
MARK = "\ue000"
#: Cells that never need CSV quoting (slugs, finding ids, ;-joined slugs): safe to splice.
SPLICEABLE = re.compile(r"^[A-Za-z0-9:;+_.-]*$")
LINKS = ("parent_id", "subset_of")
#: Links that are ;-joined lists of figure ids: each item gets the copy suffix.
LIST_LINKS = ("derived_from",)


@dataclass
class Disc:
    """One bundled discrepancies row, ready to be written for any copy."""

    pieces: list[bytes]  # the CSV line around discrepancy_id, finding_id and figure_ids
    discrepancy_id: str
    rule: str
    finding_ids: list[str]  # the figure ids of the finding id
    figure_ids: list[str]
    members: set[int]  # template rows it names

    def line(self, suffix: str) -> bytes:
        finding = f"{self.rule}:" + "+".join(sorted(i + suffix for i in self.finding_ids))
        figures = ";".join(i + suffix for i in self.figure_ids)
        values = (self.discrepancy_id + suffix, finding, figures)
        out = [self.pieces[0]]
        for value, piece in zip(values, self.pieces[1:], strict=True):
            out += [value.encode(), piece]
        return b"".join(out)


@dataclass
class Template:
    """The bundled figures and discrepancies, and what the generator needs to know about them."""

    root: Path
    header: list[str]
    rows: list[list[str]]
    col: dict[str, int]
    suffixed: list[tuple[int, ...]]  # per row: the columns that get the copy suffix
    pieces: list[list[bytes]]  # per row: its CSV line cut where the suffix goes
    disc_header: list[str]
    discs: list[Disc]
    eligible: list[bool]  # may carry a fault without cascading
    components: list[list[int]]  # rows linked by parent_id / subset_of, kept together
    texts: dict[str, str]  # collapsed archived source text per source_id
    newlines: bool  # some cell holds a line break
    links_header: list[str]  # figure_links.csv: written for the first copy, ids suffixed
    links: list[list[str]]

    def row(self, j: int, suffix: str) -> list[str]:
        """Template row ``j`` as it is in the copy with ``suffix``."""
        row = list(self.rows[j])
        for i in self.suffixed[j]:
            row[i] = ";".join(item + suffix for item in row[i].split(";"))
        return row

    def block(self, rows: list[int]) -> list[bytes]:
        """Pieces of the CSV text of ``rows``: joined with a suffix, the text of that copy."""
        flat: list[bytes] = []
        for j in rows:
            if flat:
                flat[-1] += self.pieces[j][0]
                flat += self.pieces[j][1:]
            else:
                flat = list(self.pieces[j])
        return flat


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh))
    return records[0], records[1:]


def cut(row: list[str], cells: tuple[int, ...], replace: bool) -> list[bytes]:
    """The CSV line of ``row`` cut at the end of ``cells`` (or where they are, if ``replace``)."""
    marked = list(row)
    marks = 0
    for i in cells:
        if MARK in row[i] or not SPLICEABLE.match(row[i]):
            raise SystemExit(f"cell {row[i]!r} cannot be spliced")
        if replace:
            marked[i] = MARK
            marks += 1
        else:  # a ;-joined list of ids gets the mark after each item
            items = row[i].split(";")
            marked[i] = ";".join(item + MARK for item in items)
            marks += len(items)
    if any(MARK in c for c in row):
        raise SystemExit("the bundled data holds the splice mark")
    pieces = csv_bytes([marked]).split(MARK.encode())
    assert len(pieces) == marks + 1
    return pieces


def load_template(root: Path) -> Template:
    header, rows = read_rows(root / "dataset" / "figures.csv")
    col = {h: i for i, h in enumerate(header)}
    pos = {r[col["figure_id"]]: n for n, r in enumerate(rows)}
    linked = (*LINKS, *LIST_LINKS)
    suffixed = [
        tuple(sorted(col[c] for c in ("figure_id", "scope", *linked) if r[col[c]])) for r in rows
    ]
    referenced = {i for r in rows for c in linked if r[col[c]] for i in r[col[c]].split(";")}

    disc_header, disc_rows = read_rows(root / "dataset" / "discrepancies.csv")
    dcol = {h: i for i, h in enumerate(disc_header)}
    dynamic = tuple(sorted(dcol[c] for c in ("discrepancy_id", "finding_id", "figure_ids")))
    assert [disc_header[i] for i in dynamic] == ["discrepancy_id", "finding_id", "figure_ids"]
    discs = []
    in_disc: set[str] = set()
    for d in disc_rows:
        rule, _, joined = d[dcol["finding_id"]].partition(":")
        ids = joined.split("+")
        figure_ids = d[dcol["figure_ids"]].split(";")
        in_disc.update(ids, figure_ids)
        members = {pos[i] for i in (*ids, *figure_ids) if i in pos}
        pieces = cut(d, dynamic, replace=True)
        discs.append(Disc(pieces, d[dcol["discrepancy_id"]], rule, ids, figure_ids, members))

    # Connected components of the parent_id / subset_of links (union-find).
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, r in enumerate(rows):
        for c in linked:
            for target in r[col[c]].split(";"):
                if target in pos:
                    parent[find(n)] = find(pos[target])
    groups: dict[int, list[int]] = {}
    for n in range(len(rows)):
        groups.setdefault(find(n), []).append(n)

    links_header, links = read_rows(root / "dataset" / "figure_links.csv")
    lcol = {h: i for i, h in enumerate(links_header)}
    referenced |= {r[lcol[c]] for r in links for c in ("figure_id", "other_figure_id")}

    eligible = [
        not r[col["parent_id"]]
        and not r[col["subset_of"]]
        and r[col["figure_id"]] not in referenced
        and r[col["figure_id"]] not in in_disc
        for r in rows
    ]

    shead, sources = read_rows(root / "dataset" / "sources.csv")
    scol = {h: i for i, h in enumerate(shead)}
    texts = {
        s[scol["source_id"]]: collapse(
            (root / s[scol["path"]]).read_bytes().decode("utf-8", errors="replace")
        )
        for s in sources
    }
    return Template(
        root=root,
        header=header,
        rows=rows,
        col=col,
        suffixed=suffixed,
        pieces=[cut(r, cells, replace=False) for r, cells in zip(rows, suffixed, strict=True)],
        disc_header=disc_header,
        discs=discs,
        eligible=eligible,
        components=list(groups.values()),
        texts=texts,
        newlines=any("\n" in c or "\r" in c for r in rows for c in r),
        links_header=links_header,
        links=links,
    )


def last_copy_rows(tpl: Template, remaining: int) -> list[int]:
    """Template rows of a partial copy of exactly ``remaining`` rows, linked rows kept together.

    Whole components only, so every parent and subset_of target is present and every breakdown
    has all its parts (a partial breakdown would sum differently and raise a new finding).
    """
    chosen: list[int] = []
    left = remaining
    for comp in sorted(tpl.components, key=lambda c: (-len(c), c[0])):
        if len(comp) <= left:
            chosen += comp
            left -= len(comp)
    if left:
        raise SystemExit(f"cannot pick {remaining} rows of whole components from the template")
    return sorted(chosen)


# --- planting faults ------------------------------------------------------------------------


@dataclass
class Layout:
    """Which template row and copy each data row of the generated figures.csv is."""

    n: int
    per_copy: int
    full: int  # number of full copies
    tail: list[int]  # template rows of the partial last copy

    def at(self, g: int) -> tuple[int, int]:
        """(copy, template row) of data row ``g`` (0-based)."""
        if g < self.full * self.per_copy:
            return divmod(g, self.per_copy)
        return self.full, self.tail[g - self.full * self.per_copy]


def suits(tpl: Template, j: int, kind: str) -> bool:
    """Whether template row ``j`` can carry ``kind`` without the fault cascading."""
    if not tpl.eligible[j]:
        return False
    r, c = tpl.rows[j], tpl.col
    if kind == "foreign-key":  # a new source would be compared with figures of the old one
        return not r[c["group"]]
    if kind == "lower-above-upper":
        return bool(r[c["lower"]] and r[c["upper"]])
    if kind == "interval-rule":
        return bool(r[c["lower"]])
    if kind == "quote-not-found":
        return r[c["source_id"]] in tpl.texts
    return True


def broken_quote(tpl: Template, row: list[str]) -> str:
    """The quote with one letter changed (outside the stated number), no longer in its source."""
    c = tpl.col
    quote, stated = collapse(row[c["quote"]]), collapse(row[c["stated"]])
    start = quote.find(stated)
    keep = range(start, start + len(stated)) if start >= 0 else range(0)
    text = tpl.texts[row[c["source_id"]]]
    middle = len(quote) // 2
    for p in sorted(range(len(quote)), key=lambda i: abs(i - middle)):
        ch = quote[p]
        if not ch.isascii() or not ch.isalpha() or p in keep:
            continue
        new = "q" if ch.lower() != "q" else "z"
        new = new.upper() if ch.isupper() else new
        candidate = quote[:p] + new + quote[p + 1 :]
        if stated in candidate and candidate not in text:
            return candidate
    raise SystemExit(f"cannot break the quote of {row[c['figure_id']]}")


def plant(tpl: Template, row: list[str], kind: str, seq: int, dup_id: str | None) -> None:
    """Change ``row`` in place so that it has the fault ``kind``."""
    c = tpl.col
    if kind == "wrong-type":
        row[c["value"]] = "many"
    elif kind == "enum":
        row[c["unit"]] = "parsecs"
    elif kind == "id-pattern":
        fid = row[c["figure_id"]]
        row[c["figure_id"]] = fid.upper() if seq % 2 == 0 else fid.replace("-", " ", 1)
    elif kind == "missing-required":
        row[c["quote"]] = ""
    elif kind == "foreign-key":
        row[c["source_id"]] = "no-such-source"
    elif kind == "duplicate-key":
        assert dup_id is not None
        row[c["figure_id"]] = dup_id
    elif kind == "quote-not-found":
        row[c["quote"]] = broken_quote(tpl, row)
    elif kind == "bad-date":
        row[c["as_of"]] = "2019-02-30"
    elif kind == "lower-above-upper":
        row[c["lower"]] = number(float(row[c["upper"]]) + 1)
    elif kind == "percent-over-100":
        row[c["unit"]] = "percent"
        row[c["qualifier"]] = "exact"
        row[c["bounds"]] = "[]"
        for name in ("value", "lower", "upper"):
            row[c[name]] = "150"
    elif kind == "interval-rule":
        row[c["lower"]] = number(float(row[c["lower"]]) - 1)
    elif kind == "stated-not-in-quote":
        quote = collapse(row[c["quote"]])
        row[c["stated"]] = next(s for s in ("999999", "8888888", "77777777") if s not in quote)
    else:  # pragma: no cover
        raise ValueError(kind)


@dataclass
class Fault:
    g: int  # 0-based data row
    kind: str
    seq: int  # how many of this kind came before
    dup_id: str | None = None


def choose_faults(tpl: Template, layout: Layout) -> list[Fault]:
    """Target rows, 1 % of the rows and at least one per kind, spread evenly over the file."""
    n = layout.n
    count = max(len(KINDS), round(n * FAULT_SHARE))
    taken: set[int] = set()  # targets and the rows duplicated by duplicate-key faults
    faults = []
    seen: Counter[str] = Counter()
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        start = int((i + 0.5) * n / count)
        for step in range(n):
            g = (start + step) % n
            if g in taken:
                continue
            if not suits(tpl, layout.at(g)[1], kind):
                continue
            dup_id = None
            if kind == "duplicate-key":
                earlier = next(
                    (
                        h
                        for h in range(g - 1, max(-1, g - 10 * layout.per_copy), -1)
                        if h not in taken and tpl.eligible[layout.at(h)[1]]
                    ),
                    None,
                )
                if earlier is None:
                    continue
                hk, hj = layout.at(earlier)
                dup_id = f"{tpl.rows[hj][tpl.col['figure_id']]}-k{hk}"
                taken.add(earlier)
            taken.add(g)
            faults.append(Fault(g, kind, seen[kind], dup_id))
            seen[kind] += 1
            break
        else:
            raise SystemExit(f"no row can carry a {kind} fault; use more --rows")
    return sorted(faults, key=lambda f: f.g)


# --- writing the packages -------------------------------------------------------------------


class Sink:
    """A file being written with its sha256 and size computed on the way."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.size += len(data)

    def close(self) -> tuple[str, int]:
        self.fh.close()
        return "sha256:" + self.sha.hexdigest(), self.size


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def file_hash(path: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return "sha256:" + sha.hexdigest(), size


def prepare_dir(path: Path) -> None:
    """Empty the output folder of an earlier run; refuse to delete anything else."""
    if path.exists():
        if any(path.iterdir()) and not (path / "datapackage.json").is_file():
            raise SystemExit(f"{path} exists and is not a package written by this script")
        shutil.rmtree(path)
    (path / "dataset").mkdir(parents=True)


def copy_static(root: Path, dest: Path) -> None:
    shutil.copytree(root / "seeds", dest / "seeds")
    shutil.copytree(root / "schema", dest / "schema")
    for name in TABLES:
        if name not in ("figures", "discrepancies"):
            shutil.copyfile(root / "dataset" / f"{name}.csv", dest / "dataset" / f"{name}.csv")


def write_descriptor(root: Path, dest: Path, stats: dict[str, tuple[str, int]]) -> None:
    """datapackage.json of the bundled package, with only the tables of TABLES, hashed anew."""
    bundled = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r.get("name"): r for r in bundled.get("resources", [])}
    resources = []
    for name, table in TABLES.items():
        res = dict(by_name.get(name, {}))
        res.update(
            name=name,
            type="table",
            path=f"dataset/{name}.csv",
            format="csv",
            mediatype="text/csv",
            encoding="utf-8",
            schema=f"schema/{name}.json",
        )
        res.setdefault("description", table.description)
        res["hash"], res["bytes"] = stats.get(name) or file_hash(dest / res["path"])
        resources.append(res)
    descriptor = {**bundled, "resources": resources}
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    (dest / "datapackage.json").write_text(text, encoding="utf-8")


def write_links(tpl: Template, members: list[int], dests: tuple[Path, ...]) -> None:
    """figure_links.csv: the bundled links between figures of the first copy, ids suffixed."""
    lcol = {h: i for i, h in enumerate(tpl.links_header)}
    present = {tpl.rows[j][tpl.col["figure_id"]] for j in members}
    rows = []
    for r in tpl.links:
        if r[lcol["figure_id"]] in present and r[lcol["other_figure_id"]] in present:
            row = list(r)
            for c in ("link_id", "figure_id", "other_figure_id"):
                row[lcol[c]] += "-k0"
            rows.append(row)
    for dest in dests:
        (dest / "dataset" / "figure_links.csv").write_bytes(csv_bytes([tpl.links_header, *rows]))


def generate(tpl: Template, n: int, out: Path) -> dict[str, Any]:
    """Write DIR/clean and DIR/faulty; returns what the report needs."""
    per_copy = len(tpl.rows)
    full, rest = divmod(n, per_copy)
    layout = Layout(n, per_copy, full, last_copy_rows(tpl, rest) if rest else [])
    faults = choose_faults(tpl, layout)
    clean, faulty = out / "clean", out / "faulty"
    for d in (clean, faulty):
        prepare_dir(d)
        copy_static(tpl.root, d)

    head = csv_bytes([tpl.header])
    figs = [Sink(clean / "dataset" / "figures.csv"), Sink(faulty / "dataset" / "figures.csv")]
    disc = Sink(clean / "dataset" / "discrepancies.csv")
    for s in figs:
        s.write(head)
    disc.write(csv_bytes([tpl.disc_header]))

    truth = []
    fault_at = {f.g: f for f in faults}
    disc_rows = 0
    kinds_of_copy = []  # (template rows, their CSV pieces, their discrepancies): full, partial
    for members in (list(range(per_copy)), layout.tail):
        present = set(members)
        discs = [d for d in tpl.discs if d.members <= present]
        kinds_of_copy.append((members, tpl.block(members), discs))
    write_links(tpl, kinds_of_copy[0 if full else 1][0], (clean, faulty))
    for k in range(full + (1 if rest else 0)):
        members, block, discs = kinds_of_copy[0 if k < full else 1]
        suffix = f"-k{k}"
        sb = suffix.encode()
        data = sb.join(block)
        figs[0].write(data)
        first = k * per_copy
        planted = {
            g - first: fault_at[g] for g in range(first, first + len(members)) if g in fault_at
        }
        if planted:
            parts = []
            for at, j in enumerate(members):
                f = planted.get(at)
                if f is None:
                    parts.append(sb.join(tpl.pieces[j]))
                    continue
                row = tpl.row(j, suffix)
                plant(tpl, row, f.kind, f.seq, f.dup_id)
                parts.append(csv_bytes([row]))
                truth.append(
                    {
                        "table": "figures",
                        "row": f.g + 2,
                        "field": KIND_FIELD[f.kind],
                        "kind": f.kind,
                    }
                )
            data = b"".join(parts)
        figs[1].write(data)
        disc.write(b"".join(d.line(suffix) for d in discs))
        disc_rows += len(discs)

    clean_fig, faulty_fig, disc_stat = figs[0].close(), figs[1].close(), disc.close()
    shutil.copyfile(
        clean / "dataset" / "discrepancies.csv", faulty / "dataset" / "discrepancies.csv"
    )
    write_descriptor(tpl.root, clean, {"figures": clean_fig, "discrepancies": disc_stat})
    write_descriptor(tpl.root, faulty, {"figures": faulty_fig, "discrepancies": disc_stat})
    with (faulty / "truth.jsonl").open("w", encoding="utf-8") as fh:
        for t in truth:
            fh.write(json.dumps(t) + "\n")
    return {
        "discrepancies": disc_rows,
        "figures_bytes": clean_fig[1],
        "truth": truth,
    }


# --- measuring ------------------------------------------------------------------------------


def measure(
    label: str, cmd: list[str], work: Path, ok: tuple[int, ...], repeat: int = 1
) -> dict[str, Any]:
    """Run ``cmd`` ``repeat`` times, each in a fresh subprocess: the median wall time and peak
    RSS, every wall time, the exit code and the output file of the last run."""
    runs = [_measure_once(label, cmd, work, ok) for _ in range(repeat)]
    walls = sorted(r["wall_s"] for r in runs)
    return {
        **runs[-1],
        "wall_s": statistics.median(walls),
        "walls_s": walls,
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
    }


def _measure_once(label: str, cmd: list[str], work: Path, ok: tuple[int, ...]) -> dict[str, Any]:
    out, err = work / f"{label}.stdout", work / f"{label}.stderr"
    wrapper = [sys.executable, "-c", WRAPPER, str(out), str(err), *cmd]
    done = subprocess.run(wrapper, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Crash(f"{label}: the measuring wrapper failed: {done.stderr.strip()[-2000:]}")
    res = json.loads(done.stdout)
    if res["rc"] not in ok:
        tail = err.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
        raise Crash(f"{label}: {' '.join(cmd)} exited {res['rc']}: {tail}")
    return {
        "command": cmd,
        "exit": res["rc"],
        "wall_s": res["wall"],
        "peak_mb": res["peak_kib"] * 1024 / MB,
        "stdout": out,
    }


def zhusan_command() -> list[str]:
    exe = Path(sys.executable).with_name("zhusan")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "zhusan"]


def read_report(run: dict[str, Any], label: str) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(run["stdout"].read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Crash(f"{label}: the output is not a JSON report ({exc})") from None
    return report


def score(truth: list[dict[str, Any]], report: dict[str, Any]) -> dict[str, Any]:
    """Planted faults found (same table and row), with the field too, missed, and extra errors.

    Only a report that lists every error can be scored: a truncated one is a ``Crash``.
    """
    if report.get("errors_truncated"):
        raise Crash(
            f"the faulty report lists {len(report.get('errors', []))} of its "
            f"{report.get('error_count')} errors: it cannot be scored (run with {KEEP_ALL})"
        )
    errors = report.get("errors", [])
    at_row = {(e.get("table"), e.get("row")) for e in errors}
    at_field = {(e.get("table"), e.get("row"), e.get("field")) for e in errors}
    planted_rows = {(t["table"], t["row"]) for t in truth}
    found = [t for t in truth if (t["table"], t["row"]) in at_row]
    with_field = [t for t in found if (t["table"], t["row"], t["field"]) in at_field]
    missed = [t for t in truth if (t["table"], t["row"]) not in at_row]
    extra = [e for e in errors if (e.get("table"), e.get("row")) not in planted_rows]
    by_kind = {}
    for kind in KINDS:
        by_kind[kind] = {
            "planted": sum(t["kind"] == kind for t in truth),
            "found": sum(t["kind"] == kind for t in found),
            "field_matched": sum(t["kind"] == kind for t in with_field),
        }
    codes_at: dict[tuple[Any, Any], list[str]] = {}
    for e in errors:
        codes_at.setdefault((e.get("table"), e.get("row")), []).append(e["code"])
    codes_at_planted = Counter(
        (t["kind"], code) for t in truth for code in codes_at.get((t["table"], t["row"]), [])
    )
    return {
        "planted": len(truth),
        "found": len(found),
        "field_matched": len(with_field),
        "missed": len(missed),
        "missed_examples": missed[:10],
        "extra_errors": len(extra),
        "extra_by_code": dict(sorted(Counter(e.get("code") for e in extra).items())),
        "extra_examples": extra[:10],
        "by_kind": by_kind,
        "codes_at_planted": {f"{k} -> {c}": v for (k, c), v in sorted(codes_at_planted.items())},
    }


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    root = bundled_root()
    t0 = time.perf_counter()
    tpl = load_template(root)
    gen = generate(tpl, args.rows, out)
    gen_s = time.perf_counter() - t0

    work = out / "runs"
    work.mkdir(exist_ok=True)
    clean, faulty = out / "clean", out / "faulty"
    zhusan = zhusan_command()
    k = args.repeat
    runs = {
        "zhusan_clean": measure(
            "zhusan_clean", [*zhusan, "validate", str(clean), "--json", *KEEP_ALL], work, (0, 1), k
        ),
        "zhusan_faulty": measure(
            "zhusan_faulty",
            [*zhusan, "validate", str(faulty), "--json", *KEEP_ALL],
            work,
            (0, 1),
            k,
        ),
    }
    if not args.skip_frictionless:
        runs["frictionless_clean"] = measure(
            "frictionless_clean",
            [sys.executable, "-m", "frictionless", "validate", str(clean / "datapackage.json")],
            work,
            (0, 1),
        )
    newlines = "1" if tpl.newlines else "0"
    figures_csv, figures_schema = clean / "dataset" / "figures.csv", clean / "schema/figures.json"
    runs["pyarrow_floor"] = measure(
        "pyarrow_floor",
        [sys.executable, "-c", FLOOR, str(figures_csv), str(figures_schema), newlines],
        work,
        (0,),
        k,
    )
    runs["pyarrow_floor_all"] = measure(
        "pyarrow_floor_all", [sys.executable, "-c", FLOOR_ALL, str(clean), newlines], work, (0,), k
    )
    for name in ("pyarrow_floor", "pyarrow_floor_all"):
        floor_rows = int(runs[name]["stdout"].read_text().strip() or 0)
        if floor_rows != args.rows:
            raise Crash(f"{name}: read {floor_rows} figures rows, expected {args.rows}")

    clean_report = read_report(runs["zhusan_clean"], "zhusan_clean")
    faulty_report = read_report(runs["zhusan_faulty"], "zhusan_faulty")
    csv_mb = gen["figures_bytes"] / MB
    package_bytes = sum(p.stat().st_size for p in clean.rglob("*") if p.is_file())
    result: dict[str, Any] = {
        "rows": args.rows,
        "discrepancies_rows": gen["discrepancies"],
        "csv_mb": csv_mb,
        "package_mb": package_bytes / MB,
        "generate_s": gen_s,
        "out": str(out),
        "runs": {},
    }
    for name, run in runs.items():
        result["runs"][name] = {
            "command": " ".join(run["command"]) if "floor" not in name else "pyarrow.csv",
            "exit": run["exit"],
            "wall_s": run["wall_s"],
            "walls_s": run["walls_s"],
            "peak_mb": run["peak_mb"],
            "rows_per_s": args.rows / run["wall_s"] if run["wall_s"] else None,
            "peak_per_csv_mb": run["peak_mb"] / csv_mb if csv_mb else None,
        }
    zc = runs["zhusan_clean"]
    ratios = {
        "zhusan_over_pyarrow_floor": zc["wall_s"] / runs["pyarrow_floor"]["wall_s"],
        "zhusan_over_pyarrow_floor_all": zc["wall_s"] / runs["pyarrow_floor_all"]["wall_s"],
        "frictionless_over_zhusan": (
            runs["frictionless_clean"]["wall_s"] / zc["wall_s"]
            if "frictionless_clean" in runs
            else None
        ),
        "zhusan_peak_over_csv_size": zc["peak_mb"] / csv_mb,
    }
    result["ratios"] = ratios
    result["repeat"] = k
    result["clean"] = {
        "valid": clean_report.get("valid"),
        "exit": zc["exit"],
        "rows_reported": (clean_report.get("rows") or {}).get("figures"),
        "error_count": clean_report.get("error_count"),
        "errors_by_code": clean_report.get("errors_by_code"),
        "first_errors": clean_report.get("errors", [])[:5],
    }
    result["faulty"] = {
        "valid": faulty_report.get("valid"),
        "exit": runs["zhusan_faulty"]["exit"],
        "rows_reported": (faulty_report.get("rows") or {}).get("figures"),
        "error_count": faulty_report.get("error_count"),
        "errors_by_code": faulty_report.get("errors_by_code"),
        **score(gen["truth"], faulty_report),
    }
    result["targets"] = targets(result)
    return result


def targets(r: dict[str, Any]) -> dict[str, str]:
    """The issue's targets at this run's size, each 'met' or 'NOT met' with the figure."""
    ra, f = r["ratios"], r["faulty"]

    def say(ok: bool, figure: str) -> str:
        return f"{'met' if ok else 'NOT met'} ({figure})"

    out = {
        "zhusan <= 2x the pyarrow floor": say(
            ra["zhusan_over_pyarrow_floor"] <= 2, f"{ra['zhusan_over_pyarrow_floor']:.2f}x"
        ),
        "peak memory <= 3x the CSV": say(
            ra["zhusan_peak_over_csv_size"] <= 3, f"{ra['zhusan_peak_over_csv_size']:.2f}x"
        ),
        "every planted fault found": say(
            f["found"] == f["planted"], f"{f['found']} of {f['planted']}"
        ),
    }
    if ra["frictionless_over_zhusan"] is not None:
        out["frictionless >= 30x zhusan"] = say(
            ra["frictionless_over_zhusan"] >= 30, f"{ra['frictionless_over_zhusan']:.1f}x"
        )
    return out


def show(r: dict[str, Any]) -> None:
    def fmt(x: float | None, spec: str = ".2f") -> str:
        return "not run" if x is None else format(x, spec)

    print(
        f"rows: {r['rows']} figures (+ {r['discrepancies_rows']} discrepancies); "
        f"figures.csv {r['csv_mb']:.2f} MB, package {r['package_mb']:.2f} MB; "
        f"generated in {r['generate_s']:.2f} s under {r['out']}"
    )
    print(f"median of {r['repeat']} runs each (frictionless: 1); every wall time in brackets")
    print(f"{'run':<20} {'exit':>4} {'wall s':>9} {'peak MB':>9} {'rows/s':>12} {'peak/CSV':>9}")
    for name, run in r["runs"].items():
        walls = ", ".join(f"{w:.2f}" for w in run["walls_s"])
        print(
            f"{name:<20} {run['exit']:>4} {run['wall_s']:>9.3f} {run['peak_mb']:>9.1f} "
            f"{fmt(run['rows_per_s'], ',.0f'):>12} {fmt(run['peak_per_csv_mb'], '.1f'):>9}"
            f"  [{walls}]"
        )
    ra = r["ratios"]
    print(
        f"ratios: zhusan/pyarrow-floor {ra['zhusan_over_pyarrow_floor']:.1f}x "
        f"(floor of every table: {ra['zhusan_over_pyarrow_floor_all']:.1f}x), "
        f"frictionless/zhusan {fmt(ra['frictionless_over_zhusan'], '.2f')}"
        f"{'' if ra['frictionless_over_zhusan'] is None else 'x'}, "
        f"zhusan peak memory / CSV size {ra['zhusan_peak_over_csv_size']:.1f}x"
    )
    for target, met in targets(r).items():
        print(f"  target {target}: {met}")
    c = r["clean"]
    print(
        f"clean: valid={c['valid']} exit={c['exit']} figures rows reported={c['rows_reported']} "
        f"errors={c['error_count']} {c['errors_by_code'] or ''}"
    )
    for e in c["first_errors"]:
        print(f"  {e}")
    f = r["faulty"]
    print(
        f"faulty: valid={f['valid']} exit={f['exit']} figures rows reported={f['rows_reported']} "
        f"errors={f['error_count']} {f['errors_by_code']}"
    )
    print(
        f"  planted {f['planted']}, found {f['found']} (field also matched: "
        f"{f['field_matched']}), missed {f['missed']}"
    )
    for kind, k in f["by_kind"].items():
        print(
            f"    {kind:<20} planted {k['planted']:>5} found {k['found']:>5} "
            f"field {k['field_matched']:>5}"
        )
    for t in f["missed_examples"]:
        print(f"  missed: {t}")
    print(f"  codes reported at planted rows: {f['codes_at_planted']}")
    print(f"  extra errors on rows not planted: {f['extra_errors']} {f['extra_by_code']}")
    for e in f["extra_examples"]:
        print(f"    {e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="figures rows per package")
    parser.add_argument("--out", type=Path, required=True, help="folder for clean/ and faulty/")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument(
        "--skip-frictionless", action="store_true", help="do not time frictionless validate"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="K",
        help="runs of each zhusan and floor command; the median is reported (default 3)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be positive")
    try:
        result = run_all(args)
    except Crash as exc:
        print(f"validate_bench: command crashed: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        show(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
