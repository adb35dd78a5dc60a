"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
"""

from zhusan.api import conflicts, estimates, load, validate
from zhusan.checks.package import InvalidPackage
from zhusan.files.descriptor import UnusableInput, version
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

__version__ = version()

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
