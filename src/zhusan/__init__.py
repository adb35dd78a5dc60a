"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
>>> figures = zhusan.to_pandas("figures")  # or to_polars, to_arrow; zhusan.tables() lists them

The public names are imported on first use (``__getattr__``), so that ``import zhusan`` is
quick and the command line takes over Ctrl-C before polars and pyarrow load.
"""

from __future__ import annotations

import importlib

#: True for type checkers only (``typing`` is not imported: it would slow down the start).
TYPE_CHECKING = False

if TYPE_CHECKING:
    __version__: str
    from zhusan.api import (
        add_source,
        conflicts,
        diff,
        estimates,
        export,
        init,
        load,
        refresh,
        release,
        site,
        tables,
        validate,
    )
    from zhusan.checks.package import InvalidPackage
    from zhusan.files.descriptor import UnusableInput
    from zhusan.model.dataset import Dataset
    from zhusan.model.estimates import Estimate
    from zhusan.model.flat import FlatFigure
    from zhusan.model.published import UnknownTable
    from zhusan.model.report import Problem, Report
    from zhusan.model.tables import (
        TABLES,
        Definition,
        Discrepancy,
        Event,
        Figure,
        FigureLink,
        Mention,
        Organization,
        Person,
        Place,
        Role,
        Source,
    )
    from zhusan.outputs.export import read_back
    from zhusan.outputs.frames import relations, to_arrow, to_pandas, to_polars

__all__ = [
    "TABLES",
    "Dataset",
    "Definition",
    "Discrepancy",
    "Estimate",
    "Event",
    "Figure",
    "FigureLink",
    "FlatFigure",
    "InvalidPackage",
    "Mention",
    "Organization",
    "Person",
    "Place",
    "Problem",
    "Report",
    "Role",
    "Source",
    "UnknownTable",
    "UnusableInput",
    "__version__",
    "add_source",
    "conflicts",
    "diff",
    "estimates",
    "export",
    "init",
    "load",
    "read_back",
    "refresh",
    "relations",
    "release",
    "site",
    "tables",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "validate",
]

#: The module each public name comes from.
_HOME = {
    **dict.fromkeys(
        ("add_source", "conflicts", "diff", "estimates", "export", "init", "load", "refresh",
         "release", "site", "tables", "validate"),
        "zhusan.api",
    ),
    "InvalidPackage": "zhusan.checks.package",
    "UnusableInput": "zhusan.files.descriptor",
    "Dataset": "zhusan.model.dataset",
    "Estimate": "zhusan.model.estimates",
    "FlatFigure": "zhusan.model.flat",
    "UnknownTable": "zhusan.model.published",
    "Problem": "zhusan.model.report",
    "Report": "zhusan.model.report",
    **dict.fromkeys(
        ("TABLES", "Definition", "Discrepancy", "Event", "Figure", "FigureLink", "Mention",
         "Organization", "Person", "Place", "Role", "Source"),
        "zhusan.model.tables",
    ),
    "read_back": "zhusan.outputs.export",
    **dict.fromkeys(("relations", "to_arrow", "to_pandas", "to_polars"), "zhusan.outputs.frames"),
}  # fmt: skip


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use."""
    if name == "__version__":
        from zhusan.files.descriptor import version

        globals()[name] = version()
        return globals()[name]
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'zhusan' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
