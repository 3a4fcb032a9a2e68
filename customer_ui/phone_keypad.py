"""The phone page's keypad: the keys a flow's "Get customer input" block asks for (press 1 for …, your account
number then #). Each key goes to the server at once, as a phone sends its tones; keys no flow asks for are dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

KEYS = ('1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#')
TEST_IDS = {'*': 'star', '#': 'hash'}


class PhoneKeypad(ui.grid):
    def __init__(self, on_key: Callable[[str], Awaitable[None]]) -> None:
        super().__init__(columns=3)
        self._on_key = on_key
        self.classes('gap-2 w-full max-w-[14rem]').props('role=group aria-label=Keypad data-testid=keypad')
        with self:
            for key in KEYS:
                ui.button(key, on_click=lambda _, key=key: self._press(key)) \
                    .props(f'outline size=lg aria-label="Key {key}" data-testid=keypad-{TEST_IDS.get(key, key)}') \
                    .classes('w-full text-lg font-mono')

    async def _press(self, key: str) -> None:
        await self._on_key(key)
