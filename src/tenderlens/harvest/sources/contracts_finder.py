"""Contracts Finder (CF): contract opportunities and awards of public bodies in England.

API documentation: https://www.contractsfinder.service.gov.uk/apidocumentation/Notices/1/GET-Published-Notice-OCDS-Search
"""

from __future__ import annotations

from datetime import timedelta

from tenderlens.harvest.base import Source


class ContractsFinder(Source):
    name = "contracts-finder"
    title = "Contracts Finder"
    base_url = "https://www.contractsfinder.service.gov.uk"
    path = "/Published/Notices/OCDS/Search"
    record_path = "/Published/OCDS/Record/{ocid}"
    # "Latest edit and first publication in current stage", ISO 8601.
    from_param = "publishedFrom"
    to_param = "publishedTo"
    max_window = timedelta(days=15)
    # Over its (undocumented) limit CF answers 403 "Request forbidden ... rate limit may have been
    # exceeded" and asks for no further requests for 5 minutes.
    rate_limit_statuses = frozenset({403, 429})
    rate_limit_wait = 300.0
    min_interval = 2.0
    # Bodies are declared, and may only be valid as, ISO-8859-1.
    encoding = "iso-8859-1"
    ocid_prefix = "ocds-b5fd17"
