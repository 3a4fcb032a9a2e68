"""The "Start a video call" form: name, email and an optional reference; submitting starts a chat at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from backend.domain.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from customer_ui.field_checks import is_filled_in

Submit = Callable[[str, str, str], Awaitable[str | None]]


class StartForm(ui.column):
    def __init__(self, on_submit: Submit, *, name: str = '', email: str = '', reference: str = '',
                 show_reference: bool = False) -> None:
        """Start Form

        :param on_submit: called with (name, email, reference); returns an error text to show, or None
        :param name: pre-filled name (e.g. kept from a chat that just ended)
        :param email: pre-filled email (from an invitation link or a chat that just ended)
        :param reference: pre-filled reference (from an invitation link)
        :param show_reference: open the reference section even when it is empty
        """
        super().__init__()
        self.classes('w-full gap-2')
        self._on_submit = on_submit
        with self:
            ui.label('Start a video call').classes('text-lg font-medium')
            ui.label('We start with a chat; your agent can turn it into video when you are ready.') \
                .classes('text-sm text-grey-8')
            if reference:
                ui.label('Your agent\'s reference is filled in. Enter your name to start.') \
                    .classes('text-sm text-positive').props('data-testid=invitation-hint')
            self.name = ui.input('Your name', value=name,
                                 validation={'Please enter your name': is_filled_in}) \
                .props(f'maxlength={MAX_NAME_LENGTH} counter autocomplete=name data-testid=name').classes('w-full')
            if reference and not name:
                self.name.props('autofocus')  # a link filled in everything else
            self.email = ui.input('Your email address', value=email) \
                .props(f'type=email maxlength={MAX_EMAIL_LENGTH} autocomplete=email data-testid=email') \
                .classes('w-full')
            with ui.expansion('Reference (optional)', value=bool(reference) or show_reference) \
                    .classes('w-full text-sm').props('dense data-testid=reference') as self.reference_section:
                self.reference = ui.input('8-digit reference from your agent', value=reference) \
                    .props('maxlength=10 inputmode=numeric data-testid=reference-input').classes('w-full')
            self.error = ui.label().classes('text-negative text-sm').props('data-testid=form-error role=alert')
            self.error.set_visibility(False)
            self.submit = ui.button('Start chat', on_click=self._submit).classes('w-full') \
                .props('data-testid=start-chat')
            self.email.on('keydown.enter', self._submit)

    async def _submit(self) -> None:
        self.submit.disable()
        try:
            problem = await self._on_submit(self.name.value or '', self.email.value or '', self.reference.value or '')
        finally:
            if not self.is_deleted:  # on success the chat replaces this form
                self.submit.enable()
        if self.is_deleted:
            return
        self.error.set_text(problem or '')
        self.error.set_visibility(bool(problem))
