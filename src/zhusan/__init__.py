"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()

The public names are imported on first use (``__getattr__``), so that ``import zhusan`` is
quick and the command line takes over Ctrl-C before polars and pyarrow load.
"""

from __future__ import annotations

import importlib

#: True for type checkers only (``typing`` is not imported: it would slow down the start).
TYPE_CHECKING = False

if TYPE_CHECKING:
    __version__: str
    from zhusan.api import conflicts, estimates, load, validate
    from zhusan.checks.package import InvalidPackage
    from zhusan.files.descriptor import UnusableInput
    from zhusan.model.dataset import Dataset
    from zhusan.model.estimates import Estimate
    from zhusan.model.report import Problem, Report
    from zhusan.model.tables import (
        TABLES,
        Discrepancy,
        Event,
        Figure,
        Mention,
        Organization,
        Person,
        Place,
        Role,
        Source,
    )

__all__ = [
    "TABLES",
    "Dataset",
    "Discrepancy",
    "Estimate",
    "Event",
    "Figure",
    "InvalidPackage",
    "Mention",
    "Organization",
    "Person",
    "Place",
    "Problem",
    "Report",
    "Role",
    "Source",
    "UnusableInput",
    "__version__",
    "conflicts",
    "estimates",
    "load",
    "validate",
]

#: The module each public name comes from.
_HOME = {
    **dict.fromkeys(("conflicts", "estimates", "load", "validate"), "zhusan.api"),
    "InvalidPackage": "zhusan.checks.package",
    "UnusableInput": "zhusan.files.descriptor",
    "Dataset": "zhusan.model.dataset",
    "Estimate": "zhusan.model.estimates",
    "Problem": "zhusan.model.report",
    "Report": "zhusan.model.report",
    **dict.fromkeys(
        ("TABLES", "Discrepancy", "Event", "Figure", "Mention", "Organization", "Person",
         "Place", "Role", "Source"),
        "zhusan.model.tables",
    ),
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
