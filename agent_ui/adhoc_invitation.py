"""What the agent hands the customer after creating an ad-hoc reference: the spaced number, its validity, and a
ready-to-send email (a ``mailto:`` link; RFC 6068 wants every part percent-encoded and line breaks as CRLF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from backend.domain.reference import Reference
from ui_common.adhoc_link import build_link


@dataclass(frozen=True, slots=True)
class Invitation:
    reference: str
    email: str
    link: str
    website_url: str
    expires_at: float
    ttl_seconds: float
    company_name: str

    @classmethod
    def create(cls, *, reference: str, email: str, website_url: str, expires_at: float, ttl_seconds: float,
               company_name: str) -> Invitation:
        return cls(reference=reference, email=email, link=build_link(website_url, reference, email),
                   website_url=website_url, expires_at=expires_at, ttl_seconds=ttl_seconds,
                   company_name=company_name)

    @property
    def spaced_reference(self) -> str:
        """``0041 8233``: two groups of four are easier to read out on a phone call."""
        return Reference(self.reference).spaced

    @property
    def validity(self) -> str:
        minutes = max(1, round(self.ttl_seconds / 60))
        return f'{minutes} minute' if minutes == 1 else f'{minutes} minutes'

    @property
    def subject(self) -> str:
        return f'{self.company_name} – your video call link'

    @property
    def body(self) -> str:
        # the customer's time zone is unknown, so the mail gives the end of validity in UTC
        until = datetime.fromtimestamp(self.expires_at, UTC).strftime('%H:%M')
        return (f'Hello,\n\n'
                f'please open this link to start a video call with your agent at {self.company_name}:\n'
                f'{self.link}\n\n'
                f'If the link does not open, go to {self.website_url} and enter the reference '
                f'{self.spaced_reference} together with your email address.\n'
                f'The reference is valid for {self.validity} (until {until} UTC) and works only once.\n\n'
                f'Kind regards,\n{self.company_name}\n')

    @property
    def mailto(self) -> str:
        def encode(text: str) -> str:
            return quote(text.replace('\r\n', '\n').replace('\n', '\r\n'), safe='')

        return f'mailto:{quote(self.email, safe="@")}?subject={encode(self.subject)}&body={encode(self.body)}'
