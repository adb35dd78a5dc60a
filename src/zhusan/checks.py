"""Checks across rows and tables: keys, archived sources, quotes, aliases, intervals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from zhusan.consistency import findings
from zhusan.intervals import interval
from zhusan.models import TABLES, Discrepancy, Figure, Mention, Role, Source
from zhusan.reading import Package
from zhusan.report import Problem


def collapse(text: str) -> str:
    """Whitespace runs folded to one space, as quotes are compared."""
    return " ".join(text.split())


def check_keys(pkg: Package) -> Iterator[Problem]:
    """Primary keys are unique; every foreign key names an existing row."""
    keys: dict[str, set[str]] = {}
    for name, table in TABLES.items():
        seen: dict[str, int] = {}
        for row, cells in pkg.tables[name].raw.items():
            key = cells.get(table.primary_key, "")
            if key in seen:
                yield Problem(
                    "primary-key",
                    f"{key!r} repeats row {seen[key]}",
                    name,
                    row,
                    table.primary_key,
                    key,
                )
            else:
                seen[key] = row
        keys[name] = set(seen)
    for name, table in TABLES.items():
        for row, cells in pkg.tables[name].raw.items():
            for fk in table.foreign_keys:
                value = cells.get(fk.field, "")
                if value and value not in keys[fk.table]:
                    yield Problem(
                        "foreign-key",
                        f"{value!r} is not a {fk.ref} in {fk.table}",
                        name,
                        row,
                        fk.field,
                        value,
                    )


def source_texts(pkg: Package) -> tuple[dict[str, str], list[Problem]]:
    """Collapsed text of every archived source whose sha256 matches; problems for the rest."""
    texts: dict[str, str] = {}
    problems = []
    root = pkg.root.resolve()
    for row, src in pkg.tables["sources"].models.items():
        assert isinstance(src, Source)
        path = (root / src.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            problems.append(
                Problem(
                    "seed-missing",
                    f"archived source {src.path} is missing",
                    "sources",
                    row,
                    "path",
                    src.path,
                )
            )
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != src.sha256:
            problems.append(
                Problem(
                    "seed-hash",
                    f"{src.path} does not match its sha256 (the archived copy changed)",
                    "sources",
                    row,
                    "sha256",
                    src.sha256,
                )
            )
            continue
        texts[src.source_id] = collapse(data.decode("utf-8", errors="replace"))
    return texts, problems


def check_quotes(pkg: Package, texts: dict[str, str]) -> Iterator[Problem]:
    """Every quote is found verbatim (whitespace collapsed) in its archived source."""
    for name in ("figures", "mentions", "roles", "sources"):
        for row, m in pkg.tables[name].models.items():
            assert isinstance(m, (Figure, Mention, Role, Source))
            if isinstance(m, Source):
                quote, field = m.disclosure_quote, "disclosure_quote"
            else:
                quote, field = m.quote, "quote"
            if quote is None or m.source_id not in texts:
                continue
            if collapse(quote) not in texts[m.source_id]:
                yield Problem(
                    "quote-not-found",
                    f"quote is not in source {m.source_id}",
                    name,
                    row,
                    field,
                    quote[:120],
                )


def check_aliases(pkg: Package) -> Iterator[Problem]:
    """No person, organisation or place appears in two rows under two spellings."""
    for name in ("people", "organizations", "places"):
        key = TABLES[name].primary_key
        owner: dict[str, tuple[str, int]] = {}
        for row, m in pkg.tables[name].models.items():
            ident = getattr(m, key)
            for label in {m.name, *m.aliases}:  # type: ignore[attr-defined]
                norm = collapse(label).casefold()
                other = owner.get(norm)
                if other and other[0] != ident:
                    yield Problem(
                        "duplicate-name",
                        f"{label!r} also names {other[0]!r} (row {other[1]})",
                        name,
                        row,
                        "aliases",
                        label,
                    )
                else:
                    owner[norm] = (ident, row)


def check_attested(pkg: Package) -> Iterator[Problem]:
    """Every event, person, organisation and place is attested by at least one mention."""
    columns = {
        "events": "event_id",
        "people": "person_id",
        "organizations": "organization_id",
        "places": "place_id",
    }
    for name, column in columns.items():
        attested = {cells.get(column) for cells in pkg.tables["mentions"].raw.values()}
        for row, cells in pkg.tables[name].raw.items():
            if cells.get(column) not in attested:
                yield Problem(
                    "unattested",
                    f"no mention attests {cells.get(column)!r}",
                    name,
                    row,
                    column,
                    cells.get(column),
                )


def check_intervals(pkg: Package) -> Iterator[Problem]:
    """lower, upper and bounds of every figure follow from its qualifier and value."""
    for row, f in pkg.tables["figures"].models.items():
        assert isinstance(f, Figure)
        try:
            want = interval(f.qualifier, f.value)
        except ValueError as exc:
            yield Problem("interval-rule", str(exc), "figures", row, "value")
            continue
        got = (f.lower, f.upper, f.bounds)
        if got != (want.lower, want.upper, want.bounds):
            yield Problem(
                "interval-rule",
                f"interval {got} does not follow from {f.qualifier} {f.value}: the rule gives "
                f"{(want.lower, want.upper, want.bounds)}",
                "figures",
                row,
                "lower",
            )


def check_subsets(pkg: Package) -> Iterator[Problem]:
    """A figure's parent and subset_of come from the same source."""
    by_id = {f.figure_id: f for f in pkg.tables["figures"].models.values() if isinstance(f, Figure)}
    for row, f in pkg.tables["figures"].models.items():
        assert isinstance(f, Figure)
        for field in ("parent_id", "subset_of"):
            other = by_id.get(getattr(f, field) or "")
            if other is not None and other.source_id != f.source_id:
                yield Problem(
                    "cross-source-link",
                    f"{field} {other.figure_id} is from source "
                    f"{other.source_id}, not {f.source_id}",
                    "figures",
                    row,
                    field,
                )


def check_findings(pkg: Package) -> Iterator[Problem]:
    """Every consistency finding has a discrepancies row, and every row still has its finding."""
    figures = [f for f in pkg.tables["figures"].models.values() if isinstance(f, Figure)]
    found = {f.finding_id: f for f in findings(figures)}
    valid_ids = {f.figure_id for f in figures}
    explained: set[str] = set()
    for row, d in pkg.tables["discrepancies"].models.items():
        assert isinstance(d, Discrepancy)
        finding = found.get(d.finding_id)
        if finding is None:
            if set(d.figure_ids) <= valid_ids:
                yield Problem(
                    "stale-discrepancy",
                    f"finding {d.finding_id} no longer occurs",
                    "discrepancies",
                    row,
                    "finding_id",
                    d.finding_id,
                )
            continue
        explained.add(d.finding_id)
        if sorted(d.figure_ids) != sorted(finding.figure_ids) or d.rule != finding.rule:
            yield Problem(
                "discrepancy-mismatch",
                f"rule and figure_ids must be {finding.rule} and "
                f"{';'.join(sorted(finding.figure_ids))}",
                "discrepancies",
                row,
                "figure_ids",
            )
    for fid, finding in found.items():
        if fid not in explained:
            yield Problem(
                "unexplained-finding",
                f"[{fid}] {finding.message}; no discrepancies row explains it",
                "figures",
                None,
                None,
            )


def run_checks(pkg: Package) -> list[Problem]:
    """Every check of this module, in a stable order."""
    problems = list(check_keys(pkg))
    texts, seed_problems = source_texts(pkg)
    problems += seed_problems
    problems += check_quotes(pkg, texts)
    problems += check_aliases(pkg)
    problems += check_attested(pkg)
    problems += check_intervals(pkg)
    problems += check_subsets(pkg)
    problems += check_findings(pkg)
    return problems
