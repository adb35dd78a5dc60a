"""Internal: what the checks read of a package: the valid rows of a table."""

from __future__ import annotations

import polars as pl

from zhusan.engines.frame import Package


def valid_rows(pkg: Package, name: str, *columns: str) -> pl.DataFrame:
    """The valid rows of a table, only ``columns`` (all when none are named).

    When the valid rows come first (as ``fastrows.joined`` puts them) this is a slice of the
    frame, not a copy of a million rows; otherwise a filtered copy.
    """
    frame = pkg.tables[name].frame
    ok = frame["_ok"]
    frame = frame.select(*columns, "_row", "_ok") if columns else frame
    valid = int(ok.sum())
    return frame.head(valid) if ok.head(valid).all() else frame.filter(ok)
