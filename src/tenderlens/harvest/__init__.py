"""Harvest: fetch OCDS release packages from publishers' APIs into the store.

Sources are declared in :mod:`tenderlens.harvest.sources` (the ``SOURCES`` registry); pages go
through the same reader and store calls as ``tenderlens ingest``. See ``docs/harvest.md``.
"""

from tenderlens.harvest.base import Source, Window
from tenderlens.harvest.errors import FetchError, HarvestError, HarvestStopped, InvalidBody
from tenderlens.harvest.follow import HarvestJob, run_follow_loop, run_jobs
from tenderlens.harvest.harvester import HarvestSummary, harvest, harvest_ocid
from tenderlens.harvest.logs import harvest_logging
from tenderlens.harvest.settings import HarvestSettings
from tenderlens.harvest.sources import SOURCES

__all__ = [
    "SOURCES",
    "FetchError",
    "HarvestError",
    "HarvestJob",
    "HarvestSettings",
    "HarvestStopped",
    "HarvestSummary",
    "InvalidBody",
    "Source",
    "Window",
    "harvest",
    "harvest_logging",
    "harvest_ocid",
    "run_follow_loop",
    "run_jobs",
]
