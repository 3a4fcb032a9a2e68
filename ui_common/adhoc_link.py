"""The ad-hoc invitation link: ``<website>#ref=<8 digits>&email=<URL-encoded email>``, built by the agent's dialog
and read by the customer website.

Reference and email travel in the URL *fragment*: browsers never send a fragment to a server, so the pair cannot
appear in access logs, proxies or Referer headers (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from backend.domain.errors import InvalidInput
from backend.domain.reference import is_reference
from backend.domain.validation import clean_email

REFERENCE_KEY = 'ref'
EMAIL_KEY = 'email'
MAX_FRAGMENT_LENGTH = 400  # 8 digits + a 254-character email, percent-encoded, with room to spare


@dataclass(frozen=True, slots=True)
class AdhocLink:
    reference: str
    email: str  # '' when the link carries no email (the customer types it)


def build_link(website_url: str, reference: str, email: str) -> str:
    """The customer's link; any fragment already on ``website_url`` is replaced."""
    base = urlsplit(website_url)._replace(fragment='').geturl()
    return f'{base}#{urlencode({REFERENCE_KEY: reference, EMAIL_KEY: email}, quote_via=quote)}'


def names_a_reference(fragment: str) -> bool:
    """Whether a fragment was meant for us (so the page removes it), whether or not it is well-formed."""
    keys = parse_qs(fragment[:MAX_FRAGMENT_LENGTH], keep_blank_values=True)
    return REFERENCE_KEY in keys or EMAIL_KEY in keys


def parse_fragment(fragment: str) -> AdhocLink | None:
    """The link's reference and email, or None for anything garbled: unknown or repeated keys, a reference that is
    not exactly 8 digits, an email the start form would refuse, or an over-long fragment."""
    if len(fragment) > MAX_FRAGMENT_LENGTH:
        return None
    try:
        fields = parse_qs(fragment, keep_blank_values=True, strict_parsing=True, max_num_fields=2)
    except ValueError:
        return None
    if not set(fields) <= {REFERENCE_KEY, EMAIL_KEY} or any(len(values) != 1 for values in fields.values()):
        return None
    reference = fields.get(REFERENCE_KEY, [''])[0]
    if not is_reference(reference):
        return None
    email = fields.get(EMAIL_KEY, [''])[0]
    if email:
        try:
            email = clean_email(email)
        except InvalidInput:
            return None
    return AdhocLink(reference=reference, email=email)
