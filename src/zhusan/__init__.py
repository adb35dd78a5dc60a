"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
"""

from zhusan.api import Dataset, InvalidPackage, conflicts, estimates, load, validate
from zhusan.estimates import Estimate
from zhusan.models import (
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
from zhusan.package import UnusableInput, version
from zhusan.report import Problem, Report

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
