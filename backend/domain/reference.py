"""The ad-hoc reference an agent reads out to a caller: exactly 8 ASCII digits, zero-padded.

One rule in one place, for the agent's dialog, the invitation link, the customer's form and the redemption: a person
may type it with spaces (it is shown as ``0041 8233``), anything else is refused. Only ASCII digits count: Python's
``\\d`` also matches other scripts' digits (fullwidth ``０``), which would pass a check and never match a stored hash.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from backend.domain.errors import InvalidInput

REFERENCE_DIGITS = 8
_DIGITS = re.compile(rf'[0-9]{{{REFERENCE_DIGITS}}}')
NOT_A_REFERENCE_TEXT = f'A reference is the {REFERENCE_DIGITS}-digit number your agent gave you.'


@dataclass(frozen=True, slots=True)
class Reference:
    digits: str

    def __post_init__(self) -> None:
        if not _DIGITS.fullmatch(self.digits):
            raise InvalidInput(NOT_A_REFERENCE_TEXT)

    @classmethod
    def parse(cls, typed: str) -> Reference:
        """What a person typed, spaces allowed anywhere (``' 0041 8233 '``) and
        surrounding white space; InvalidInput for anything else."""
        return cls(typed.strip().replace(' ', ''))

    @classmethod
    def draw(cls) -> Reference:
        """A new reference from the operating system's CSPRNG."""
        return cls(f'{secrets.randbelow(10 ** REFERENCE_DIGITS):0{REFERENCE_DIGITS}d}')

    @property
    def spaced(self) -> str:
        """How the agent reads it out: two groups of four (``0041 8233``)."""
        return f'{self.digits[:4]} {self.digits[4:]}'

    def __str__(self) -> str:
        return self.digits


def is_reference(text: str) -> bool:
    """Whether ``text`` is exactly a reference as written in a link (no spaces, no other characters)."""
    return _DIGITS.fullmatch(text) is not None
