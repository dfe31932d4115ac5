"""km's engine: the plugin contract, the graph store, the job runner.

Everything a plugin needs is importable from here::

    from km_core import hookimpl, Item, Content
"""

from km_core.api import (
    API_VERSION,
    Content,
    Item,
    JobContext,
    MovePlan,
    Relation,
    ReportSection,
    Source,
    Tag,
)
from km_core.errors import KmError
from km_core.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "API_VERSION",
    "Content",
    "Item",
    "JobContext",
    "KmError",
    "MovePlan",
    "Relation",
    "ReportSection",
    "Source",
    "Tag",
    "__version__",
    "hookimpl",
]
