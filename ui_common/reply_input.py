"""Reply Input

The box a customer or an agent types a chat message into. A send takes the text and empties the box at once, before
the message is stored: emptied only after the send, the box lost whatever was typed while the send was on its way
(a send awaits the store's group commit, or Amazon Connect). A refused send gives its text back. Emptying takes one
small message to the browser: ``set_value('')`` sent the whole input element (its props, events and classes) and then
a method call, for every chat message (benchmarks/README.md, "Capacity of one process").
"""

from __future__ import annotations

from nicegui import ui


class ReplyInput(ui.input):
    def take(self) -> str:
        """The text to send; the box is empty from now on, ready for the next line."""
        text = self.value or ''
        if text:
            self.clear_sent()
        return text

    def give_back(self, text: str) -> None:
        """A send was refused: its text returns to the box, unless a new line was typed meanwhile."""
        if not self.value:
            self.set_value(text)

    def clear_sent(self) -> None:
        """Empty the box after its text was sent: here as a change that came from the browser (no element update),
        there by emptying the Vue component's own value (the browser then reports the empty value as usual)."""
        self._send_update_on_value_change = False  # what NiceGUI sets while it applies a value from the browser
        try:
            self.set_value('')
        finally:
            self._send_update_on_value_change = True
        self.client.run_javascript(f'const box = getElement({self.id}); if (box) box.inputValue = "";')
