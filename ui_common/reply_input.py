"""Reply Input

The box a customer or an agent types a chat message into. After a message is sent it empties with one small
message to the browser: ``set_value('')`` sent the whole input element (its props, events and classes) and then a
method call, for every chat message (benchmarks/README.md, "Capacity of one process").
"""

from __future__ import annotations

from nicegui import ui


class ReplyInput(ui.input):
    def clear_sent(self) -> None:
        """Empty the box after its text was sent: here as a change that came from the browser (no element update),
        there by emptying the Vue component's own value (the browser then reports the empty value as usual)."""
        self._send_update_on_value_change = False  # what NiceGUI sets while it applies a value from the browser
        try:
            self.set_value('')
        finally:
            self._send_update_on_value_change = True
        self.client.run_javascript(f'const box = getElement({self.id}); if (box) box.inputValue = "";')
