"""zhusan: the Operation Zhusan data package, its loader and its checks.

>>> import zhusan
>>> data = zhusan.load()
>>> report = zhusan.validate()
"""

from zhusan.api import Dataset, InvalidPackage, load, validate
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
    "load",
    "validate",
]
