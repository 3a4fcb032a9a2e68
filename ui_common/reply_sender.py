"""Reply Sender

What Send does with a chat reply box, the same for the customer and the agent: the length limit first (nothing is
cut, message_limit.py), the box emptied as the line leaves (reply_input.py), a refused line back in the box with
the reason under it, and the tab's copy of an unsent line (unsent_draft.py) forgotten once the server confirmed it;
a line the page finds unsent when it opens comes back marked as such.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from backend.domain.errors import DomainError
from ui_common.message_limit import MessageLimit
from ui_common.reply_input import ReplyInput
from ui_common.unsent_draft import UNSENT_TEXT, UnsentDraft


class ReplySender:
    def __init__(self, reply: ReplyInput, error: ui.label, counter: ui.label, draft_key: str,
                 deliver: Callable[[str], Awaitable[object]]) -> None:
        """Reply Sender (build it where the draft element may sit, beside the box)

        :param reply: the reply box
        :param error: the line under the box that says why a message was not sent
        :param counter: where "n / limit" shows near the limit
        :param draft_key: the conversation, for the tab's unsent draft
        :param deliver: sends a line; raises DomainError with the words to show when it is refused
        """
        self._reply, self._error, self._deliver = reply, error, deliver
        self._limit = MessageLimit(reply, error, counter)
        self._draft = UnsentDraft(reply, draft_key, self._restore)

    async def send(self) -> None:
        if not self._limit.ready_to_send():
            return
        text = self._reply.take()
        try:
            await self._deliver(text)
        except DomainError as error:
            self._reply.give_back(text)
            self._error.set_text(str(error))
            return
        self._error.set_text('')
        if not self._reply.value:  # a line typed while this one was on its way stays kept
            self._draft.forget()

    def _restore(self, text: str) -> None:
        if not self._reply.value:
            self._reply.set_value(text)
            self._error.set_text(UNSENT_TEXT)
