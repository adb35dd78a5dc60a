"""Benchmark of the consistency checks (``finding_frame``) on figures shaped like real growth.

Each case is a figures frame written once to an Arrow IPC file and checked in a fresh Python
process, so that its peak memory (``resource.getrusage``) is its own: the process reads the
frame, restarts its peak RSS (Linux), runs ``finding_frame`` once and reports the wall time,
the CPU time of all its threads (steadier than wall time on a busy machine), the number of
findings and of figures they name, the peak RSS of the process during the check (the frame
read included) and the part of it above the RSS before the check.

Cases (``--cases``, default all; ``--rows`` sets the size of the "realistic" package):

- ``bundled``: the 99 figures of the bundled package.
- ``copies-300``: the issue's case, 100 copies each of one returned-people total as women,
  children and women and children (one source, undated).
- ``sources-300``: the same 300 figures from 100 sources, women and children of a source
  summing to 550 + 2i against "nearly 600": every rule's set is large.
- ``disagree-N``: one family of N figures from N sources, no two alike (N = 1,000, 10,000,
  100,000): one finding each, n log n.
- ``dated-10000``: one family of 10,000 women, children and combined figures from 50 sources,
  dated by day, month or year, some over periods: the time cells of ``combined-group``.
- ``realistic``: ``--rows`` figures (default 1,000,000) on topics (a measure in a scope) whose
  women, children, men and totals add up year by year, counts of returnees and prosecutions
  growing 8 % a year; each reported group a family of heavy-tailed size (most 1 to 10 figures,
  a few up to 300) from N/50 sources at dates over 2014-2024 by day, month or year (some over
  periods), worded exact, about, nearly, more than, ...; 2 % of families with one figure 30 %
  off; some totals with a breakdown by sex and orphans as a subset; plus one ``copies-300``
  family and one ``disagree-10000`` family.
- ``replicated``: the bundled figures copied to ``--rows``, ids and scopes suffixed per copy,
  as ``benchmarks/validate_bench.py`` makes its package (tiny families, 20 findings a copy).
- ``growth``: the same as ``realistic`` without the two planted families (what the pairwise
  checks of version 0.1 could still check, for a comparison with ``--src``).

``python benchmarks/consistency_bench.py`` prints a Markdown table (``--json``: one JSON object
per case and line); ``--src PATH`` checks with the ``zhusan`` package under PATH instead of this
checkout's (to compare with another version, of the flat layout too).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = (
    "figure_id", "source_id", "stated", "value", "unit", "qualifier", "measure", "group",
    "scope", "as_of", "period_start", "parent_id", "axis", "exhaustive", "subset_of",
)  # fmt: skip
MEASURES = [
    "returned", "in-programme", "arrested", "prosecuted", "held-accountable", "self-returned",
    "left-for-syria-iraq", "joined-isis", "camp-population", "enrolled-school",
    *(f"measure-{i:02d}" for i in range(30)),
]  # fmt: skip
GROUPS = ["all", "women", "children", "women_and_children", "men", "orphans", "foreigners"]
HEDGES = ["exact"] * 14 + ["about", "nearly", "more_than", "at_least", "up_to", "some"]


def row(fid: str, src: str, value: float | str, **cells: str) -> dict[str, str]:
    """One raw figure: an exact, undated count of returnees in zhusan unless ``cells`` say."""
    text = value if isinstance(value, str) else f"{value:g}"
    base = dict.fromkeys(COLUMNS, "")
    base |= {"figure_id": fid, "source_id": src, "stated": text, "value": text}
    base |= {"unit": "persons", "qualifier": "exact", "measure": "returned", "scope": "zhusan"}
    return base | cells


def copies(tag: str = "") -> list[dict[str, str]]:
    """The issue's 300 rows: one total copied 100 times as women, children and both."""
    groups = ("women", "children", "women_and_children")
    return [
        row(f"copy{tag}-{g[:5]}-{i}", "kylym", 595, group=g, scope=f"zhusan{tag}")
        for g in groups
        for i in range(100)
    ]


def sources() -> list[dict[str, str]]:
    out = []
    for i in range(100):
        out.append(row(f"w{i:03d}", f"s{i}", 150 + i, group="women"))
        out.append(row(f"c{i:03d}", f"s{i}", 400 + i, group="children"))
        out.append(row(f"x{i:03d}", "t", 600, group="women_and_children", qualifier="nearly"))
    return out


def disagree(n: int, tag: str = "") -> list[dict[str, str]]:
    """One family of n figures from n sources, no two alike."""
    return [
        row(f"d{tag}-{i:06d}", f"ds{i}", 10_000 + i, group="all", scope=f"wide{tag}")
        for i in range(n)
    ]


def _date(rng: random.Random) -> tuple[str, str]:
    """An as-of date by day, month or year between 2014 and 2024, sometimes with a start."""
    y, m, d = rng.randint(2014, 2024), rng.randint(1, 12), rng.randint(1, 28)
    as_of = rng.choice([f"{y}", f"{y}-{m:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}-{d:02d}"])
    start = f"{y - rng.randint(0, 3)}" if rng.random() < 0.1 else ""
    return as_of, start


def dated(n: int, rng: random.Random) -> list[dict[str, str]]:
    """One family of women, children and combined figures of 50 sources over ten years."""
    out = []
    for i in range(n):
        group = rng.choice(["women", "children", "women_and_children"])
        base = {"women": 150, "children": 400, "women_and_children": 560}[group]
        as_of, start = _date(rng)
        value = base + rng.randint(-30, 30)
        out.append(
            row(f"t{i:06d}", f"ts{rng.randint(0, 49)}", value, group=group, scope="timed")
            | {"as_of": as_of, "period_start": start, "qualifier": rng.choice(HEDGES)}
        )
    return out


GROWING = {"returned", "in-programme", "arrested", "prosecuted", "held-accountable"}
#: How a source words a true count t: qualifier and the value it states (its interval holds t).
WORDS = [
    *[("exact", 1.0)] * 12,
    ("about", 1.05),
    ("nearly", 1.03),
    ("more_than", 0.9),
    ("at_least", 0.95),
    ("up_to", 1.1),
    ("some", 0.97),
]


def realistic(n: int, rng: random.Random) -> list[dict[str, str]]:
    """About n figures on topics (a measure in a scope) whose groups add up, year by year.

    Each topic has true counts by year (women + children = women and children, that + men =
    all; counts of returnees and prosecutions grow 8 % a year). Each group is reported or not;
    a reported group is a family of a heavy-tailed size (most 1 to 10 figures, a few up to
    300) whose figures come from random sources at random dates, worded so that their
    interval holds the truth. 2 % of families get one figure 30 % off. Some totals come with
    an exhaustive breakdown by sex from the same source, and orphans as a subset of children.
    """
    out: list[dict[str, str]] = []
    n_sources = max(n // 50, 5)
    topic = 0
    while len(out) < n:
        topic += 1
        measure, scope = rng.choice(MEASURES), f"scope-{topic}"
        women, children, men = (rng.randint(10, 2000) for _ in range(3))
        growth = 1.08 if measure in GROWING else 1.0

        def truth(
            group: str,
            year: int,
            w: int = women,
            c: int = children,
            m: int = men,
            g: float = growth,
        ) -> int:
            f = g ** (year - 2014)
            wy, cy, my = round(w * f), round(c * f), round(m * f)
            return {"women": wy, "children": cy, "men": my, "women_and_children": wy + cy}.get(
                group, wy + cy + my
            )

        for group in ("all", "women", "children", "women_and_children", "men"):
            if rng.random() < 0.4:
                continue
            size = min(int(rng.paretovariate(1.2)), 300)
            off = rng.random() < 0.02
            for j in range(size):
                as_of, start = _date(rng)
                year = int(as_of[:4])
                t = truth(group, year) * (1.3 if off and j == 0 else 1.0)
                qualifier, factor = rng.choice(WORDS)
                fid, src = f"f{topic}-{group[:5]}-{j}", f"src-{rng.randrange(n_sources)}"
                cells = {"qualifier": qualifier, "as_of": as_of, "period_start": start}
                out.append(
                    row(fid, src, round(t * factor), measure=measure, group=group, scope=scope)
                    | cells
                )
                if group != "all" or qualifier != "exact" or off or rng.random() > 0.1:
                    continue
                for part in ("women", "children", "men"):
                    out.append(
                        row(f"{fid}-{part}", src, truth(part, year), measure=measure, group=part)
                        | {"scope": scope, "as_of": as_of, "parent_id": fid, "axis": "sex"}
                        | {"exhaustive": "true"}
                    )
                out.append(
                    row(f"{fid}-orph", src, truth("children", year) // 10, measure=measure)
                    | {"group": "orphans", "scope": scope, "as_of": as_of}
                    | {"subset_of": f"{fid}-children"}
                )
    return out[:n]


def replicated(rows: int) -> list[dict[str, str]]:
    """The bundled figures copied until ``rows``, ids and scopes suffixed per copy (the shape of
    ``benchmarks/validate_bench.py``): tiny families, 20 findings per copy."""
    raw = pl.read_csv(ROOT / "dataset" / "figures.csv", infer_schema=False).select(COLUMNS)
    copies = []
    for k in range(rows // raw.height + 1):
        sfx = pl.lit(f"-k{k}")
        copies.append(
            raw.with_columns(
                *(pl.col(c) + sfx for c in ("figure_id", "parent_id", "subset_of", "scope"))
            )
        )
    return pl.concat(copies).head(rows).fill_null("").to_dicts()


def case_rows(name: str, rows: int) -> list[dict[str, str]]:
    rng = random.Random(17)
    if name == "bundled":
        raw = pl.read_csv(ROOT / "dataset" / "figures.csv", infer_schema=False)
        return raw.select(COLUMNS).fill_null("").to_dicts()
    if name == "copies-300":
        return copies()
    if name == "sources-300":
        return sources()
    if name.startswith("disagree-"):
        return disagree(int(name.split("-")[1]))
    if name == "dated-10000":
        return dated(10_000, rng)
    if name == "realistic":
        return realistic(rows - 10_300, rng) + copies("-r") + disagree(10_000, "-r")
    if name == "growth":
        return realistic(rows, rng)
    if name == "replicated":
        return replicated(rows)
    raise SystemExit(f"unknown case {name}")


def largest_family(frame: pl.DataFrame) -> int:
    return int(frame.group_by("measure", "group", "scope", "unit").len()["len"].max())  # type: ignore[arg-type]


def _reset_peak() -> None:
    """Start the peak RSS afresh (Linux: write 5 to /proc/self/clear_refs), so that the peak
    is the check's, not that of reading the frame; elsewhere the peak stays the process's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _status_kb(field: str) -> int | None:
    """A field of /proc/self/status in kB (Linux), else None.

    ``VmHWM`` is the peak since ``_reset_peak``; ``getrusage``'s peak is not reset by it, and
    a child process starts with its parent's peak (the parent holds every case's rows).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def child(path: str, src: str | None) -> None:
    """Check one case in this process and print its measures as JSON."""
    if src:
        sys.path.insert(0, src)
    try:
        from zhusan.checks.consistency import finding_frame
    except ImportError:  # a version before the layers (``--src``)
        from zhusan.consistency import finding_frame  # type: ignore[no-redef]

    frame = pl.read_ipc(path).rechunk()
    finding_frame(frame.head(50))  # polars' first-use costs, not the checks'
    _reset_peak()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = _status_kb("VmRSS")
    start = time.perf_counter()
    found = finding_frame(frame)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    hwm = _status_kb("VmHWM")
    before, peak = (rss, hwm) if rss and hwm else (usage.ru_maxrss, after.ru_maxrss)
    print(
        json.dumps(
            {
                "seconds": took,
                "cpu": cpu,
                "findings": found.height,
                "named": int(found["ids"].list.len().sum()),
                "peak_mb": peak / 1024,
                "above_mb": (peak - before) / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    all_cases = [
        "bundled", "copies-300", "sources-300", "disagree-1000", "disagree-10000",
        "disagree-100000", "dated-10000", "realistic",
    ]  # fmt: skip
    parser.add_argument("--cases", nargs="*", default=all_cases)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the realistic case")
    parser.add_argument("--src", help="check with the zhusan package under this path")
    parser.add_argument("--json", action="store_true", help="one JSON object per case and line")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.src)
        return
    head = ("case", "rows", "largest family", "findings", "figures named", "time s", "CPU s")
    head = (*head, "peak RSS MB")
    if not args.json:
        print("| " + " | ".join((*head, "above input MB")) + " |")
        print("|---|" + "---:|" * len(head))
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            frame = pl.DataFrame(
                case_rows(name, args.rows), schema=dict.fromkeys(COLUMNS, pl.String)
            )
            path = os.path.join(tmp, f"{name}.arrow")
            frame.write_ipc(path)
            cmd = [
                sys.executable,
                __file__,
                "--child",
                path,
                *(["--src", args.src] if args.src else []),
            ]
            env = os.environ | {"PYTHONPATH": args.src or str(ROOT / "src")}
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if proc.returncode:
                print(f"| {name} | {frame.height:,} | failed: {proc.stderr.strip()[-200:]} |")
                sys.exit(1)
            got = json.loads(proc.stdout)
            if args.json:
                got |= {"case": name, "rows": frame.height, "largest": largest_family(frame)}
                print(json.dumps(got), flush=True)
                continue
            print(
                f"| {name} | {frame.height:,} | {largest_family(frame):,} | {got['findings']:,} "
                f"| {got['named']:,} | {got['seconds']:.2f} | {got['cpu']:.2f} "
                f"| {got['peak_mb']:,.0f} | {got['above_mb']:,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
