"""Checks across rows and tables, set-wise on frames: keys, sources, quotes, names, intervals.

Both engines (``zhusan.reading``) hand these checks the same frames, so they exist once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from zhusan.consistency import FIGURE_COLUMNS, finding_frame, findings_of, spell_id
from zhusan.intervals import VAGUE, interval_exprs
from zhusan.models import TABLES
from zhusan.reading import Package
from zhusan.report import MAX_PER_CODE, Problem, Problems

#: Tables whose rows carry a quote from their source, and the column that names the source.
QUOTED = {"figures": "quote", "mentions": "quote", "roles": "quote", "sources": "disclosure_quote"}


def collapse(text: str) -> str:
    """Whitespace runs folded to one space, as quotes are compared."""
    return " ".join(text.split())


def _ok(pkg: Package, name: str, *columns: str) -> pl.DataFrame:
    """The valid rows of a table, only ``columns`` (all when none are named).

    When the valid rows come first (as ``fastrows.joined`` puts them) this is a slice of the
    frame, not a copy of a million rows; otherwise a filtered copy.
    """
    frame = pkg.tables[name].frame
    ok = frame["_ok"]
    frame = frame.select(*columns, "_row", "_ok") if columns else frame
    valid = int(ok.sum())
    return frame.head(valid) if ok.head(valid).all() else frame.filter(ok)


#: The largest archived source read (whole, into memory); a larger one is refused unread.
MAX_SOURCE_BYTES = 64 << 20


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[dict[str, str], list[Problem]]:
    """Collapsed text of every archived source whose sha256 matches; problems for the rest."""
    texts: dict[str, str] = {}
    problems = []
    base = root.resolve()
    for row in sources.filter(pl.col("_ok")).iter_rows(named=True):
        path = (base / row["path"]).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            problems.append(
                Problem(
                    "seed-missing",
                    f"archived source {row['path']} is missing",
                    "sources",
                    row["_row"],
                    "path",
                    row["path"],
                )
            )
            continue
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            problems.append(
                Problem(
                    "seed-too-large",
                    f"archived source {row['path']} has {size} bytes, more than the "
                    f"{MAX_SOURCE_BYTES} read: refused unread",
                    "sources",
                    row["_row"],
                    "path",
                    row["path"],
                )
            )
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            problems.append(
                Problem(
                    "seed-hash",
                    f"{row['path']} does not match its sha256 (the archived copy changed)",
                    "sources",
                    row["_row"],
                    "sha256",
                    row["sha256"],
                )
            )
            continue
        texts[row["source_id"]] = collapse(data.decode("utf-8", errors="replace"))
    return texts, problems


def quote_problems(name: str, frame: pl.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Every quote is found verbatim (whitespace collapsed) in its archived source."""
    column = QUOTED.get(name)
    if column is None or not texts or column not in frame.columns:
        return []
    rows = frame.select("source_id", column, "_row", "_ok").filter(
        pl.col("_ok") & (pl.col(column) != "") & pl.col("source_id").is_in(list(texts))
    )
    pairs = rows.select("source_id", column).unique()
    bad = [(s, q) for s, q in pairs.iter_rows() if collapse(q) not in texts[s]]
    if not bad:
        return []
    hits = rows.join(
        pl.DataFrame(bad, schema=["source_id", column], orient="row"), on=["source_id", column]
    )
    return [
        Problem("quote-not-found", f"quote is not in source {s}", name, r, column, q[:120])
        for s, q, r in hits.select("source_id", column, "_row").sort("_row").iter_rows()
    ]


def _repeats(df: pl.DataFrame, pk: str) -> pl.DataFrame:
    """(key, row, first row) of every row whose primary key an earlier row already has."""
    # Distinct hashes mean distinct keys. Equal hashes (a repeat, or rarely a collision) go
    # on to the exact check below. Counting hashes is several times faster on millions of keys.
    if df.height == 0 or df[pk].hash().n_unique() == df.height:
        return pl.DataFrame(schema={pk: pl.String, "_row": pl.Int64, "_first": pl.Int64})
    dup = df.select(pk, "_row").filter(pl.col(pk).is_duplicated())
    first = dup.with_columns(_first=pl.col("_row").min().over(pk))
    return first.filter(pl.col("_row") != pl.col("_first"))


def _absent(values: pl.Series, keys: pl.Series) -> pl.Series:
    """The distinct non-empty ``values`` that are not among ``keys``."""
    distinct = values.unique()
    wanted = distinct.filter(distinct != "")
    if wanted.len() == 0:
        return wanted
    present = keys.filter(keys.is_in(wanted.implode())).unique()
    return wanted.filter(~wanted.is_in(present.implode()))


def check_keys(pkg: Package) -> Iterator[Problem]:
    """Primary keys are unique; every foreign key names an existing row.

    Work is on the distinct values of each foreign key column, so a column of a million
    references to a few hundred sources costs one hash pass, not a million lookups.
    """
    keys: dict[str, pl.Series] = {}
    for name, table in TABLES.items():
        df = pkg.tables[name].frame
        pk = table.primary_key
        if pk not in df.columns:
            keys[name] = pl.Series(pk, [], dtype=pl.String)
            continue
        for key, row, first_row in _repeats(df, pk).sort("_row").iter_rows():
            yield Problem("primary-key", f"{key!r} repeats row {first_row}", name, row, pk, key)
        keys[name] = df[pk]
    for name, table in TABLES.items():
        df = pkg.tables[name].frame
        for fk in table.foreign_keys:
            if fk.field not in df.columns:
                continue
            absent = _absent(df[fk.field], keys[fk.table])
            if absent.len() == 0:
                continue
            bad = df.filter(pl.col(fk.field).is_in(absent.implode()))
            for value, row in bad.select(fk.field, "_row").sort("_row").iter_rows():
                yield Problem(
                    "foreign-key",
                    f"{value!r} is not a {fk.ref} in {fk.table}",
                    name,
                    row,
                    fk.field,
                    value,
                )


def check_aliases(pkg: Package) -> Iterator[Problem]:
    """No person, organisation or place appears in two rows under two spellings."""
    for name in ("people", "organizations", "places"):
        pk = TABLES[name].primary_key
        df = _ok(pkg, name)
        if df.height == 0:
            continue
        labels = (
            df.select(
                "_row",
                ident=pl.col(pk),
                label=pl.concat_list(
                    pl.col("name"),
                    pl.when(pl.col("aliases") == "")
                    .then([])
                    .otherwise(pl.col("aliases").str.split(";")),
                ),
            )
            .explode("label")
            .unique(["_row", "label"], maintain_order=True)
            .with_columns(
                norm=pl.col("label")
                .str.replace_all(r"\s+", " ")
                .str.strip_chars()
                .str.to_lowercase()
            )
            .sort("_row", maintain_order=True)
        )
        owner = labels.group_by("norm", maintain_order=True).agg(
            o_id=pl.col("ident").first(), o_row=pl.col("_row").first()
        )
        clash = labels.join(owner, on="norm").filter(pl.col("ident") != pl.col("o_id"))
        for row, label, o_id, o_row in clash.select("_row", "label", "o_id", "o_row").iter_rows():
            yield Problem(
                "duplicate-name",
                f"{label!r} also names {o_id!r} (row {o_row})",
                name,
                row,
                "aliases",
                label,
            )


def check_attested(pkg: Package) -> Iterator[Problem]:
    """Every event, person, organisation and place is attested by at least one mention."""
    mentions = pkg.tables["mentions"].frame
    for name in ("events", "people", "organizations", "places"):
        column = TABLES[name].primary_key
        if column not in mentions.columns or column not in pkg.tables[name].frame.columns:
            continue
        df = pkg.tables[name].frame
        for value, row in (
            df.filter(~pl.col(column).is_in(mentions[column].unique().implode()))
            .select(column, "_row")
            .sort("_row")
            .iter_rows()
        ):
            yield Problem("unattested", f"no mention attests {value!r}", name, row, column, value)


def check_intervals(pkg: Package) -> Iterator[Problem]:
    """lower, upper and bounds of every figure follow from its qualifier and value."""
    df = _ok(pkg, "figures", "value", "lower", "upper", "qualifier", "bounds")
    if df.height == 0:
        return
    num = {c: pl.col(c).cast(pl.Float64, strict=False) for c in ("value", "lower", "upper")}
    lo, hi, b = interval_exprs(num["value"], pl.col("qualifier"))
    df = df.with_columns(v=num["value"], lo=num["lower"], hi=num["upper"], w_lo=lo, w_hi=hi, w_b=b)
    missing = df.filter(pl.col("v").is_null() & ~pl.col("qualifier").is_in(list(VAGUE)))
    for q, row in missing.select("qualifier", "_row").iter_rows():
        yield Problem("interval-rule", f"qualifier {q!r} needs a value", "figures", row, "value")
    wrong = df.filter(
        (pl.col("v").is_not_null() | pl.col("qualifier").is_in(list(VAGUE)))
        & ~(
            pl.col("lo").eq_missing(pl.col("w_lo"))
            & pl.col("hi").eq_missing(pl.col("w_hi"))
            & (pl.col("bounds") == pl.col("w_b"))
        )
    )
    for r in wrong.iter_rows(named=True):
        got, want = (r["lo"], r["hi"], r["bounds"]), (r["w_lo"], r["w_hi"], r["w_b"])
        yield Problem(
            "interval-rule",
            f"interval {got} does not follow from {r['qualifier']} {r['v']}: the rule gives {want}",
            "figures",
            r["_row"],
            "lower",
        )


def check_links(pkg: Package) -> Iterator[Problem]:
    """A figure's parent and subset_of come from the same source."""
    df = _ok(pkg, "figures", "figure_id", "source_id", "parent_id", "subset_of")
    for field in ("parent_id", "subset_of"):
        linked = df.filter(pl.col(field) != "")
        if linked.height == 0:
            continue
        targets = linked[field].unique()
        other = df.filter(pl.col("figure_id").is_in(targets.implode())).select(
            o_id="figure_id", o_source="source_id"
        )
        j = linked.join(other, left_on=field, right_on="o_id").filter(
            pl.col("source_id") != pl.col("o_source")
        )
        for oid, osrc, src, row in (
            j.select(field, "o_source", "source_id", "_row").sort("_row").iter_rows()
        ):
            yield Problem(
                "cross-source-link",
                f"{field} {oid} is from source {osrc}, not {src}",
                "figures",
                row,
                field,
            )


def check_findings(pkg: Package) -> Iterator[Problem]:
    """Every consistency finding has a discrepancies row, and every row still has its finding.

    A finding id is its rule and its sorted figure ids, so a row whose finding occurs matches
    it exactly when ``rule:sorted(figure_ids)`` spells the same id.
    """
    figures = _ok(pkg, "figures", *FIGURE_COLUMNS)
    found = finding_frame(figures)
    disc = _ok(pkg, "discrepancies", "finding_id", "rule", "figure_ids").with_columns(
        spelled=spell_id(pl.col("rule"), pl.col("figure_ids").str.split(";")),
        occurs=pl.col("finding_id").is_in(found["finding_id"].implode()),
    )
    stale = disc.filter(~pl.col("occurs"))
    if stale.height:
        valid = figures["figure_id"]
        listed = pl.col("figure_ids").str.split(";")
        stale = stale.filter(listed.list.eval(pl.element().is_in(valid.implode())).list.all())
    for fid, row in stale.select("finding_id", "_row").sort("_row").iter_rows():
        yield Problem(
            "stale-discrepancy",
            f"finding {fid} no longer occurs",
            "discrepancies",
            row,
            "finding_id",
            fid,
        )
    mismatch = disc.filter(pl.col("occurs") & (pl.col("spelled") != pl.col("finding_id")))
    mismatch = mismatch.join(
        found.select("finding_id", f_rule="rule", f_ids=pl.col("ids").list.sort()),
        on="finding_id",
    )
    for rule, ids, row in mismatch.select("f_rule", "f_ids", "_row").sort("_row").iter_rows():
        yield Problem(
            "discrepancy-mismatch",
            f"rule and figure_ids must be {rule} and {';'.join(ids)}",
            "discrepancies",
            row,
            "figure_ids",
        )
    unexplained = found.filter(~pl.col("finding_id").is_in(disc["finding_id"].implode()))
    if unexplained.height:
        ids = {i for ids in unexplained["ids"].to_list() for i in ids}
        wanted = set(unexplained["finding_id"].to_list())
        for f in findings_of(figures.filter(pl.col("figure_id").is_in(list(ids)))):
            if f.finding_id in wanted:
                yield Problem(
                    "unexplained-finding",
                    f"[{f.finding_id}] {f.message}; no discrepancies row explains it",
                    "figures",
                )


#: Every check of this module, in the order their problems are listed.
CHECKS = (check_keys, check_aliases, check_attested, check_intervals, check_links, check_findings)


def run_checks(pkg: Package, max_per_code: int | None = MAX_PER_CODE) -> Problems:
    """Every check of this module, in a stable order; at most ``max_per_code`` kept per code.

    The checks only read the frames, and polars releases the GIL, so they run side by side;
    the longest (the consistency findings) starts first.
    """

    def run(check: Callable[[Package], Iterator[Problem]]) -> Problems:
        found = Problems(max_per_code)
        found.extend(check(pkg))
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(reversed(list(pool.map(run, reversed(CHECKS)))))
    out = Problems(max_per_code)
    for found in done:
        out += found
    return out
