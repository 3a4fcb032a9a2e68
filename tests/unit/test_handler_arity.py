"""The handler-arity cache gives NiceGUI the same answers as ``inspect.signature``, asking it once per function."""

from __future__ import annotations

import functools
from typing import Any

import nicegui.helpers
import pytest
from nicegui.helpers.functions import expects_arguments as original

from vce import handler_arity
from vce.handler_arity import CachedArity


class Handlers:
    def takes_event(self, event: Any) -> None: ...

    def takes_nothing(self) -> None: ...

    def defaulted(self, event: Any = None) -> None: ...

    @classmethod
    def class_level(cls, event: Any) -> None: ...

    @staticmethod
    def static(event: Any) -> None: ...

    def __call__(self, event: Any) -> None: ...


def plain(event: Any) -> None: ...


def star(*args: Any, **kwargs: Any) -> None: ...


def keyword_only(*, event: Any) -> None: ...


def keyword_default(*, event: Any = None) -> None: ...


@functools.wraps(plain)
def wrapper(*args: Any) -> None: ...


def factory(with_argument: bool) -> Any:
    """Many closures share one code object, as the lambdas of every element built from one line do."""
    return (lambda event: event) if with_argument else (lambda: None)


SHAPES = {
    'lambda with an argument': lambda event: None,
    'lambda without': lambda: None,
    'lambda with a default': lambda event=None: None,
    'function': plain,
    'star args': star,
    'keyword only': keyword_only,
    'keyword with a default': keyword_default,
    'bound method': Handlers().takes_event,
    'bound method without': Handlers().takes_nothing,
    'bound method with a default': Handlers().defaulted,
    'class method': Handlers.class_level,
    'static method': Handlers.static,
    'unbound function of a method': Handlers.takes_event,
    'callable object': Handlers(),
    'partial': functools.partial(plain),
    'partial with the argument': functools.partial(plain, 1),
    'wrapper naming what it wraps': wrapper,
    'builtin': print,
    'closure with an argument': factory(True),
    'closure without': factory(False),
}


@pytest.mark.parametrize('name', SHAPES)
def test_same_answer_as_inspecting_the_signature(name: str) -> None:
    cached = CachedArity(original)
    handler = SHAPES[name]
    assert cached(handler) == original(handler)
    assert cached(handler) == original(handler)  # and again, from the cache where it is kept


def test_asks_once_per_function_and_not_for_each_new_closure_or_bound_method() -> None:
    cached = CachedArity(original)
    first, second = Handlers(), Handlers()
    for _ in range(3):
        assert cached(first.takes_event) and cached(second.takes_event)  # a new bound method object each time
        assert cached(factory(True)) and not cached(factory(False))  # new closures of the same two lambdas
    assert cached.asked == 3


def test_bound_and_unbound_are_told_apart() -> None:
    cached = CachedArity(original)
    assert not cached(Handlers().takes_nothing)
    assert cached(Handlers.takes_nothing)  # the unbound function still wants ``self``


def test_callables_whose_signature_is_not_their_code_are_asked_every_time() -> None:
    cached = CachedArity(original)
    shapes = [functools.partial(plain), Handlers(), wrapper, print]
    for _ in range(2):
        for handler in shapes:
            cached(handler)
    assert cached.asked == 2 * len(shapes)


def test_a_function_given_a_default_later_is_asked_again() -> None:
    def handler(event: Any) -> None: ...

    cached = CachedArity(original)
    assert cached(handler)
    handler.__defaults__ = (None,)
    assert not cached(handler)


def test_install_routes_nicegui_through_the_cache_once(monkeypatch) -> None:
    monkeypatch.setattr(nicegui.helpers, 'expects_arguments', original)
    monkeypatch.setattr(nicegui.helpers.functions, 'expects_arguments', original)
    handler_arity.install()
    installed = nicegui.helpers.expects_arguments
    assert isinstance(installed, CachedArity) and installed.original is original
    assert nicegui.helpers.functions.expects_arguments is installed
    handler_arity.install()
    assert nicegui.helpers.expects_arguments is installed
