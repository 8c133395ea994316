"""Find a Tender (FTS): UK notices above the thresholds, and every Procurement Act 2023 notice.

API documentation: https://www.find-tender.service.gov.uk/apidocumentation/1.0/GET-ocdsReleasePackages
"""

from __future__ import annotations

from datetime import timedelta

from tenderlens.harvest.base import Source


class FindATender(Source):
    name = "fts"
    title = "Find a Tender"
    base_url = "https://www.find-tender.service.gov.uk"
    path = "/api/1.0/ocdsReleasePackages"
    record_path = "/api/1.0/ocdsRecordPackages/{ocid}"
    # "Date and time record was last updated", YYYY-MM-DDTHH:MM:SS (at most 19 characters).
    from_param = "updatedFrom"
    to_param = "updatedTo"
    # Longer windows lose releases when paginated (kingfisher-collect issue 1203: 1 → 0.5 → 0.25 days).
    max_window = timedelta(hours=6)
    # The load balancer answers 429 ("12 request limit in 2 minute exceeded"), usually without
    # Retry-After; one request per 10 s stays under it.
    rate_limit_statuses = frozenset({429})
    rate_limit_wait = 30.0
    min_interval = 10.0
    ocid_prefix = "ocds-h6vhtk"
