"""Whether an event handler takes an argument, asked of ``inspect.signature`` once per function instead of per call.

NiceGUI asks it every time it calls a handler (each click, each value change) and for the change handlers of the
props, classes and style of every element it creates: 5 % of the server's CPU while chats sent messages and 13 %
while customers arrived (benchmarks/README.md, "Capacity of one process"). For a plain function or a method the
answer depends only on its code, on whether it is bound, and on which parameters have defaults, so it is kept per
code object; any other callable (a ``functools.partial``, an object with ``__call__``, a wrapper that names what it
wraps or carries its own signature) is asked every time, as before.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import nicegui.helpers
import nicegui.helpers.functions

MAX_ENTRIES = 4096  # code objects live as long as their module; the bound only matters for generated code

_Key = tuple[types.CodeType, bool, int, tuple[str, ...]]


def install() -> None:
    """Route NiceGUI's ``expects_arguments`` through the cache (idempotent)."""
    current = nicegui.helpers.expects_arguments
    if isinstance(current, CachedArity):
        return
    cached = CachedArity(current)
    nicegui.helpers.expects_arguments = cached  # what NiceGUI's modules call, as ``helpers.expects_arguments``
    nicegui.helpers.functions.expects_arguments = cached


class CachedArity:
    """``expects_arguments`` with a per-code-object memory; ``asked`` counts the calls that reached the original."""

    def __init__(self, original: Callable[[Callable[..., Any]], bool]) -> None:
        self.original = original
        self.asked = 0
        self._answers: dict[_Key, bool] = {}

    def __call__(self, func: Callable[..., Any]) -> bool:
        key = _key(func)
        if key is not None:
            answer = self._answers.get(key)
            if answer is not None:
                return answer
        self.asked += 1
        answer = self.original(func)
        if key is not None:
            if len(self._answers) >= MAX_ENTRIES:
                self._answers.clear()
            self._answers[key] = answer
        return answer


def _key(func: Callable[..., Any]) -> _Key | None:
    """What the answer depends on, or None when it may depend on more than the code (then nothing is cached)."""
    bound = type(func) is types.MethodType
    target = func.__func__ if bound else func  # type: ignore[attr-defined]
    if type(target) is not types.FunctionType:
        return None
    attributes = target.__dict__
    if '__wrapped__' in attributes or '__signature__' in attributes:  # inspect.signature would look further
        return None
    return (target.__code__, bound, len(target.__defaults__ or ()), tuple(target.__kwdefaults__ or ()))
