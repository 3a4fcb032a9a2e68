"""Characters a person's text may not hide: the rule behind every typed name and chat message.

Refused, because they are invisible or change how the text around them is shown, and nobody needs them in a name or
a chat line: control codes, lone surrogates (not valid text; SQLite could not even store them), text-direction
controls (U+202A-202E, U+2066-2069, LRM, RLM, ALM: an override makes ``Ann\\u202eevil`` read differently from what
it is), and every other invisible format character (zero-width space, word joiner, BOM, soft hyphen, ...).

Kept, because real writing needs them:

- the zero-width joiner and non-joiner (ZWJ, ZWNJ) *between two visible characters*: Persian and other Arabic-script
  words need ZWNJ inside a word, Indic scripts need both next to a virama, and emoji sequences (a family, a person
  at a laptop) are emoji glued with ZWJ. At the start or end, next to a space or next to another invisible character
  they do nothing visible, so they are refused there. Python has no script property to tell a Persian letter from a
  Latin one, and a joiner between Latin letters shows nothing and does no harm, so the rule is about neighbours only;
  it keeps every hidden joiner between two characters someone can see.
- one variation selector after a visible character (the text/emoji presentation of a symbol, a CJK glyph variant).
  Runs of them carry hidden bytes, so a second one in a row is refused.
- the tag characters of the three flag emoji that use them (England, Scotland, Wales); other tag runs are hidden
  ASCII and are refused.

Nothing is normalised here (no NFC/NFKC): NFKC would rewrite legitimate names (fullwidth letters, ligatures), and
even NFC swaps the CJK compatibility ideographs some Japanese names are written with. Whitespace is the callers' job.
"""

from __future__ import annotations

import re
import unicodedata

DIRECTION_CONTROLS = frozenset('\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')
ZWNJ, ZWJ = '\u200c', '\u200d'
JOINERS = frozenset((ZWNJ, ZWJ))
BLANK_LETTERS = frozenset('\u115f\u1160\u3164\uffa0\u2800')  # Hangul fillers, braille blank: letters that show nothing
_BLACK_FLAG = '\U0001f3f4'
_FLAG_TAGS = re.compile(_BLACK_FLAG + '(?:' + '|'.join(
    ''.join(chr(0xE0000 + ord(c)) for c in region) for region in ('gbeng', 'gbsct', 'gbwls')) + ')\U000e007f')
_VISIBLE_CATEGORIES = ('L', 'N', 'P', 'S')  # letters, numbers, punctuation, symbols (marks alone show nothing)


def refused_character(text: str, *, allowed: str = '') -> str | None:
    """What is wrong with ``text``, naming the first refused character (``'an invisible text-direction control
    (U+202E)'``), or None when every character may stay. ``allowed``: control characters the caller keeps (a chat
    message keeps tab and newline)."""
    text = _FLAG_TAGS.sub(_BLACK_FLAG, text)  # the flag's tags are fine; everything else is checked as it is
    for index, character in enumerate(text):
        problem = _problem(text, index, character, allowed)
        if problem is not None:
            return f'{problem} (U+{ord(character):04X})'
    return None


def shows_something(text: str) -> bool:
    """Whether ``text`` has at least one character a reader can see (a letter, digit, punctuation or symbol that is
    not one of the blank letters)."""
    return any(unicodedata.category(c).startswith(_VISIBLE_CATEGORIES) and c not in BLANK_LETTERS for c in text)


def _problem(text: str, index: int, character: str, allowed: str) -> str | None:
    category = unicodedata.category(character)
    if character in allowed:
        return None
    if category == 'Cs':
        return 'a character that is not valid text'
    if category == 'Cc':
        return 'a control character'
    if character in DIRECTION_CONTROLS:
        return 'an invisible text-direction control'
    if character in JOINERS:
        if _visible_neighbour(text, index - 1) and _visible_neighbour(text, index + 1):
            return None
        return f'a zero-width {"non-" if character == ZWNJ else ""}joiner outside a word'
    if category == 'Cf':
        return 'an invisible formatting character'
    if _is_variation_selector(character) and not (_visible_neighbour(text, index - 1)
                                                   and not _is_variation_selector(text[index - 1])):
        return 'a stray variation selector'
    return None


def _visible_neighbour(text: str, index: int) -> bool:
    """A character on that side that joins: not the edge, a space, a control or an invisible format character."""
    if not 0 <= index < len(text):
        return False
    neighbour = text[index]
    return not neighbour.isspace() and unicodedata.category(neighbour) not in ('Cc', 'Cf', 'Cs', 'Zs', 'Zl', 'Zp')


def _is_variation_selector(character: str) -> bool:
    return '\ufe00' <= character <= '\ufe0f' or '\U000e0100' <= character <= '\U000e01ef'
