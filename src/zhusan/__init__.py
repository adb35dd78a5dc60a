"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
>>> figures = zhusan.to_pandas("figures")  # or to_polars, to_arrow; zhusan.tables() lists them
"""

from zhusan.api import (
    conflicts,
    diff,
    estimates,
    export,
    load,
    release,
    site,
    tables,
    validate,
)
from zhusan.checks.package import InvalidPackage
from zhusan.files.descriptor import UnusableInput, version
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
from zhusan.model.flat import FlatFigure
from zhusan.model.published import UnknownTable
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
from zhusan.outputs.export import read_back
from zhusan.outputs.frames import relations, to_arrow, to_pandas, to_polars

__version__ = version()

__all__ = [
    "TABLES",
    "Dataset",
    "Discrepancy",
    "Estimate",
    "Event",
    "Figure",
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
    "conflicts",
    "diff",
    "estimates",
    "export",
    "load",
    "read_back",
    "relations",
    "release",
    "site",
    "tables",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "validate",
]
