"""The reference rule, held once: exactly 8 ASCII digits; people may type spaces; shown as two groups of four."""

from __future__ import annotations

import re

import pytest

from backend.domain.errors import InvalidInput
from backend.domain.reference import NOT_A_REFERENCE_TEXT, Reference, is_reference
from ui_common.adhoc_link import parse_fragment


@pytest.mark.parametrize('typed', ['00418233', '0041 8233', ' 0041 8233 ', '0 0 4 1 8 2 3 3', '\t00418233\n'])
def test_spaces_are_ignored(typed: str) -> None:
    assert Reference.parse(typed) == Reference('00418233')
    assert str(Reference.parse(typed)) == '00418233'


@pytest.mark.parametrize('typed', ['', '0041823', '004182333', '0041-8233', 'abcdefgh', '００４１８２３３',
                                   '0041\u06f1233', '00418233\u200b', '+0418233'])
def test_anything_else_is_refused_with_one_message(typed: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(NOT_A_REFERENCE_TEXT)):
        Reference.parse(typed)
    assert not is_reference(typed.replace(' ', ''))


def test_a_link_takes_only_ascii_digits() -> None:
    assert parse_fragment('ref=00418233') is not None
    assert parse_fragment('ref=%EF%BC%90%EF%BC%90418233') is None  # fullwidth zeros, percent-encoded


def test_drawn_references_are_8_digits_and_spaced_in_two_groups() -> None:
    drawn = {Reference.draw().digits for _ in range(200)}
    assert all(is_reference(d) for d in drawn) and len(drawn) > 190
    assert Reference('00418233').spaced == '0041 8233'
