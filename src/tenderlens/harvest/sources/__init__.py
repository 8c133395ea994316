"""The registry of harvest sources: one small declarative module per publisher.

To add a publisher, add a module here declaring a :class:`~tenderlens.harvest.base.Source`
subclass and list it below; the CLI (``tenderlens harvest NAME``), ``harvest all``, ``harvest
status`` and the docs test pick it up from this tuple.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from tenderlens.harvest.sources.contracts_finder import ContractsFinder
from tenderlens.harvest.sources.fts import FindATender

if TYPE_CHECKING:
    from tenderlens.harvest.base import Source

SOURCES: Final[dict[str, type[Source]]] = {source.name: source for source in (FindATender, ContractsFinder)}

__all__ = ["SOURCES", "ContractsFinder", "FindATender"]
