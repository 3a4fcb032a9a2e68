"""The Chime SDK media region for new meetings: the configured one, or the one nearest to this server.

``VCE_CHIME_MEDIA_REGION=nearest`` asks Chime's nearest-media-region endpoint once (from the server, so it is the
region nearest the *server*, which is usually near the contact centre's agents) and keeps the answer. The endpoint is
on the internet: when it cannot be reached (an offline test machine, a VPC without egress) the fallback region is
used and a warning logged. The lookup is injectable, so tests never reach the network.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.request
from collections.abc import Callable

from backend.domain.connect_arns import REGION
from backend.settings.checks import NEAREST_REGION

log = logging.getLogger('vce.aws.chime')

NEAREST = NEAREST_REGION  # the setting's value that asks Chime
NEAREST_MEDIA_REGION_URL = 'https://nearest-media-region.l.chime.aws'
LOOKUP_TIMEOUT_SECONDS = 2.0
REGION_RE = re.compile(REGION)

RegionLookup = Callable[[], str]


def nearest_media_region() -> str:
    """Chime's answer, ``{"region": "eu-west-2"}``; raises on any failure (the caller falls back)."""
    with urllib.request.urlopen(NEAREST_MEDIA_REGION_URL, timeout=LOOKUP_TIMEOUT_SECONDS) as response:
        return str(json.loads(response.read())['region'])


class MediaRegion:
    """Callable giving the media region: ``configured`` as it is, or for ``nearest`` the lookup's answer (asked once),
    else ``fallback``."""

    def __init__(self, configured: str, *, fallback: str, lookup: RegionLookup = nearest_media_region) -> None:
        self._configured, self._fallback, self._lookup = configured.strip(), fallback, lookup
        self._resolved: str | None = None if self._configured == NEAREST else self._configured
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._resolved is None:
                self._resolved = self._ask()
            return self._resolved

    def _ask(self) -> str:
        try:
            region = self._lookup()
        except Exception as error:  # unreachable, timeout, bad JSON: any failure means "use the fallback"
            log.warning('chime.nearest_region_unavailable fallback=%s error=%s', self._fallback, error)
            return self._fallback
        if not REGION_RE.fullmatch(region):
            log.warning('chime.nearest_region_invalid answer=%r fallback=%s', region[:40], self._fallback)
            return self._fallback
        log.info('chime.nearest_region region=%s', region)
        return region
