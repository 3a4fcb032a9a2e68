"""The rules for everything a person types (backend/domain/validation.py, hidden_characters.py, reference.py):
each rule with examples it keeps and examples it refuses, and the words a refusal uses."""

from __future__ import annotations

import re

import pytest

from backend.domain.errors import InvalidInput
from backend.domain.hidden_characters import refused_character, shows_something
from backend.domain.reference import NOT_A_REFERENCE_TEXT, Reference, optional_reference
from backend.domain.validation import (
    NO_EMAIL_TEXT,
    NO_MESSAGE_TEXT,
    NO_NAME_TEXT,
    USERNAME_RULE_TEXT,
    check_password,
    clean_email,
    clean_message,
    clean_name,
    clean_username,
)

NOT_TEXT = [5, 0, 12.5, True, False, None, {'name': 'Ann'}, {}, ['Ann'], [], b'Ann']


def tags(text: str) -> str:
    """Unicode tag characters spelling ``text`` (what the England flag emoji carries after the black flag)."""
    return ''.join(chr(0xE0000 + ord(c)) for c in text)


ENGLAND = '\U0001f3f4' + tags('gbeng') + '\U000e007f'
FAMILY = '\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466'  # four emoji glued by ZWJ


# values that are not text: the message of an empty field

@pytest.mark.parametrize('value', NOT_TEXT)
@pytest.mark.parametrize(('check', 'message'), [
    (clean_name, NO_NAME_TEXT),
    (clean_email, NO_EMAIL_TEXT),
    (clean_message, NO_MESSAGE_TEXT),
    (clean_username, USERNAME_RULE_TEXT),
    (check_password, 'Passwords need at least 8 characters.'),
    (Reference.parse, NOT_A_REFERENCE_TEXT),
])
def test_a_value_that_is_not_text_gets_the_empty_field_message(check, message, value) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        check(value)


@pytest.mark.parametrize('value', [None, '', '   ', '\u00a0'])
def test_an_optional_reference_left_empty_is_no_reference(value) -> None:
    assert optional_reference(value) == ''


@pytest.mark.parametrize('value', [24681357, 0, True, {'ref': '24681357'}, ['24681357'], '2468135', '２４６８１３５７'])
def test_an_optional_reference_that_is_given_must_be_one(value) -> None:
    with pytest.raises(InvalidInput, match=re.escape(NOT_A_REFERENCE_TEXT)):
        optional_reference(value)


@pytest.mark.parametrize('typed', ['2468 1357', '2468\u00a01357', '\u20032468\u2009135 7\n'])
def test_a_reference_may_carry_any_white_space(typed) -> None:
    assert optional_reference(typed) == '24681357'


# names: white space collapsed, hidden characters refused, something must show

@pytest.mark.parametrize(('typed', 'kept'), [
    ('Ann Lee', 'Ann Lee'),
    ('  Ann \t\n Lee  ', 'Ann Lee'),
    ('Ann\u00a0Lee', 'Ann Lee'),  # no-break space
    ('山田\u3000太郎', '山田 太郎'),  # ideographic space
    ('Ann\u2028Lee', 'Ann Lee'),  # line separator
    ('José Ñúñez', 'José Ñúñez'),
    ('Jose\u0301', 'Jose\u0301'),  # decomposed accent: kept as typed, no normalisation
    ('ＡＮＮ', 'ＡＮＮ'),  # fullwidth letters: NFKC would rewrite them; we do not
    ('محمد علي', 'محمد علي'),
    ('עַמִּית', 'עַמִּית'),
    ('نسیم\u200cدخت', 'نسیم\u200cدخت'),  # ZWNJ inside a Persian word
    ('क्\u200dष', 'क्\u200dष'),  # ZWJ after a virama (Devanagari)
    ('ශ්\u200dරී', 'ශ්\u200dරී'),  # ZWJ after al-lakuna (Sinhala)
    ('Ann \U0001f469\u200d\U0001f4bb', 'Ann \U0001f469\u200d\U0001f4bb'),  # ZWJ emoji sequence
    ('\u2764\ufe0f\u200d\U0001f525', '\u2764\ufe0f\u200d\U0001f525'),  # variation selector, then ZWJ
    ('葛\U000e0100城', '葛\U000e0100城'),  # an ideographic variation sequence (a Japanese name's glyph)
    ('\U0001f642', '\U0001f642'),
    (f'Ann {ENGLAND}', f'Ann {ENGLAND}'),
])
def test_names_keep_what_people_write(typed, kept) -> None:
    assert clean_name(typed) == kept


@pytest.mark.parametrize(('typed', 'message'), [
    ('', NO_NAME_TEXT),
    (' \t\n\u3000', NO_NAME_TEXT),
    ('\u3164', NO_NAME_TEXT),  # Hangul filler: a letter that shows nothing
    ('\u2800\u2800', NO_NAME_TEXT),  # braille blank
    ('\u0301\u0301', NO_NAME_TEXT),  # marks with nothing to sit on
    ('x' * 65, 'Please keep your name to 64 characters or fewer.'),
    ('Ann\u202eevil', 'Your name contains an invisible text-direction control (U+202E). '
                      'Please type it again without it.'),
    ('Ann\u202d', 'an invisible text-direction control (U+202D)'),
    ('\u2066Ann\u2069', 'an invisible text-direction control (U+2066)'),
    ('Ann\u200fLee', 'an invisible text-direction control (U+200F)'),
    ('\u061cAnn', 'an invisible text-direction control (U+061C)'),
    ('\u200b', 'an invisible formatting character (U+200B)'),
    ('\u200b\u200c\u200d\u2060\ufeff', 'an invisible formatting character (U+200B)'),
    ('Ann\u2060Lee', 'an invisible formatting character (U+2060)'),
    ('\ufeffAnn', 'an invisible formatting character (U+FEFF)'),
    ('An\u00adn', 'an invisible formatting character (U+00AD)'),  # soft hyphen
    ('\u200c', 'a zero-width non-joiner outside a word (U+200C)'),
    ('\u200dAnn', 'a zero-width joiner outside a word (U+200D)'),
    ('Ann\u200d', 'a zero-width joiner outside a word (U+200D)'),
    ('Ann \u200cLee', 'a zero-width non-joiner outside a word (U+200C)'),
    ('Ann\u200d\u200dLee', 'a zero-width joiner outside a word (U+200D)'),
    ('a\ufe0f\ufe0f', 'a stray variation selector (U+FE0F)'),
    ('\ufe0fAnn', 'a stray variation selector (U+FE0F)'),
    ('Ann\U000e0100\U000e0101', 'a stray variation selector (U+E0101)'),
    ('\U0001f3f4' + tags('hidden') + '\U000e007f', 'an invisible formatting character (U+E0068)'),
    ('Ann' + tags('x'), 'an invisible formatting character (U+E0078)'),
    ('Ann\x00', 'a control character (U+0000)'),
    ('Ann\x07Lee', 'a control character (U+0007)'),
    ('Ann\x7f', 'a control character (U+007F)'),
    ('Ann\x9b', 'a control character (U+009B)'),
    ('Ann\ud800', 'a character that is not valid text (U+D800)'),
])
def test_names_refuse_hidden_characters(typed, message) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        clean_name(typed)


# messages: line ends normalised, tab and newline kept, everything else hidden refused

@pytest.mark.parametrize(('typed', 'kept'), [
    ('hello', 'hello'),
    ('  hello  ', 'hello'),
    ('line one\nline two', 'line one\nline two'),
    ('line one\r\nline two\rthree', 'line one\nline two\nthree'),
    ('a\x0bb\x0cc\u2028d\u2029e\x85f', 'a\nb\nc\nd\ne\nf'),
    ('col\tcol', 'col\tcol'),
    ('the price is 5\u00a0€', 'the price is 5\u00a0€'),
    ('می\u200cخواهم', 'می\u200cخواهم'),
    (FAMILY, FAMILY),
    ('\U0001f44d\U0001f3fd', '\U0001f44d\U0001f3fd'),  # skin tone modifier
    ('1\ufe0f\u20e3', '1\ufe0f\u20e3'),  # keycap
    (ENGLAND, ENGLAND),
])
def test_messages_keep_what_people_write(typed, kept) -> None:
    assert clean_message(typed) == kept


@pytest.mark.parametrize(('typed', 'message'), [
    ('\u200b', 'Your message contains an invisible formatting character (U+200B). Please type it again without it.'),
    ('\u200b\u200b\u200b', 'an invisible formatting character (U+200B)'),
    ('\u2060\ufeff', 'an invisible formatting character (U+2060)'),
    ('\u200d', 'a zero-width joiner outside a word (U+200D)'),
    ('\u3164', NO_MESSAGE_TEXT),
    ('\u2800', NO_MESSAGE_TEXT),
    ('\r\n', NO_MESSAGE_TEXT),
    ('pay to \u202e0987654321', 'an invisible text-direction control (U+202E)'),
    ('\u2067hi\u2069', 'an invisible text-direction control (U+2067)'),
    ('hi\x1b[31mred', 'a control character (U+001B)'),
    ('hi\x00', 'a control character (U+0000)'),
    ('hi\ud83d', 'a character that is not valid text (U+D83D)'),
    ('hi' + '\U000e0100' * 2, 'a stray variation selector (U+E0100)'),  # bytes hidden in variation selectors
])
def test_messages_refuse_hidden_characters(typed, message) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        clean_message(typed)


# emails, usernames: ASCII patterns, so nothing hidden passes

@pytest.mark.parametrize('typed', ['ann\u200b@example.com', 'ann@exa\u202emple.com', 'ann@example.com\u200d',
                                   'ann＠example.com', 'ann@example.com\n.evil', 'ann@éxample.com'])
def test_emails_refuse_anything_outside_the_pattern(typed) -> None:
    with pytest.raises(InvalidInput, match=re.escape('Please enter a valid email address')):
        clean_email(typed)


@pytest.mark.parametrize(('typed', 'kept'), [(' Ann@Example.COM ', 'Ann@example.com'),
                                             ('\u00a0ann@example.com\u3000', 'ann@example.com')])
def test_emails_trim_white_space_and_lower_case_the_domain(typed, kept) -> None:
    assert clean_email(typed) == kept


@pytest.mark.parametrize('typed', ['ann\u200b', '\u212aate', 'ann\u202e', 'ａｎｎ', 'an\nn', 'ann lee', ''])
def test_usernames_refuse_anything_outside_the_pattern(typed) -> None:
    with pytest.raises(InvalidInput, match=re.escape(USERNAME_RULE_TEXT)):
        clean_username(typed)


@pytest.mark.parametrize(('typed', 'kept'), [('Ann', 'ann'), (' ann.lee-2_x ', 'ann.lee-2_x')])
def test_usernames_are_lower_cased_ascii(typed, kept) -> None:
    assert clean_username(typed) == kept


# the character rule on its own

def test_the_character_rule_names_the_first_refused_character() -> None:
    assert refused_character('plain text') is None
    assert refused_character('a\u200bb\u202ec') == 'an invisible formatting character (U+200B)'
    assert refused_character('a\tb', allowed='\t') is None
    assert refused_character('a\tb') == 'a control character (U+0009)'


def test_something_shows_only_with_a_letter_digit_punctuation_or_symbol() -> None:
    assert shows_something('a') and shows_something('7') and shows_something('?') and shows_something('\U0001f642')
    assert not shows_something('') and not shows_something(' \u3164\u2800\u0301\u200d')
