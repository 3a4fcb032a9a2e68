"""The ad-hoc reference an agent reads out to a caller: exactly 8 ASCII digits, zero-padded.

One rule in one place, for the agent's dialog, the invitation link, the customer's form and the redemption: a person
may type it with white space (it is shown as ``0041 8233``; a copy from an email may bring a no-break space),
anything else is refused, and so is anything that is not a string (a client can send any JSON as the field's value).
Only ASCII digits count: Python's ``\\d`` also matches other scripts' digits (fullwidth ``０``), which would pass a
check and never match a stored hash.
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
    def parse(cls, typed: object) -> Reference:
        """What a person typed, white space allowed anywhere (``' 0041 8233 '``); InvalidInput for anything else."""
        if not isinstance(typed, str):
            raise InvalidInput(NOT_A_REFERENCE_TEXT)
        return cls(''.join(typed.split()))

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


def optional_reference(typed: object) -> str:
    """The digits of an optional reference field: '' when nothing was typed (None or only white space), else
    :meth:`Reference.parse`'s digits (InvalidInput for anything else, a number or a dict included)."""
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        return ''
    return Reference.parse(typed).digits


def is_reference(text: str) -> bool:
    """Whether ``text`` is exactly a reference as written in a link (no spaces, no other characters)."""
    return _DIGITS.fullmatch(text) is not None
