"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
"""

from zhusan.api import conflicts, estimates, export, load, site, validate
from zhusan.checks.package import InvalidPackage
from zhusan.files.descriptor import UnusableInput, version
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
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
from zhusan.outputs.frames import relations, to_pandas, to_polars

__version__ = version()

__all__ = [
    "TABLES",
    "Dataset",
    "Definition",
    "Discrepancy",
    "Estimate",
    "Event",
    "Figure",
    "FigureLink",
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
    "export",
    "load",
    "read_back",
    "relations",
    "site",
    "to_pandas",
    "to_polars",
    "validate",
]
