"""Python extension points of the local engine: what a flow calls that only exists in the cloud.

    extensions = FlowExtensions()

    @extensions.lambda_function('arn:aws:lambda:eu-west-2:111122223333:function:CustomerLookup')
    def customer_lookup(event: dict) -> dict:          # the same signature an AWS Lambda handler gets
        return {'tier': 'gold'}                          # lands in $.External.tier

    @extensions.action('ConnectParticipantWithLexBot')
    async def bot(request: ActionRequest) -> ActionResult:
        return ActionResult(result='CallIntent', data={'IntentName': 'CallIntent'})

    vce.web.run(settings, flow_extensions=extensions)

In local mode a flow's ``InvokeLambdaFunction`` calls the callable registered for its function ARN (or its name,
the ARN's last ``:`` segment); in aws mode Amazon Connect runs the real Lambda and these are not used. A function
may be sync (run in a worker thread) or async. It gets Connect's Lambda event (``Details.ContactData``,
``Details.Parameters``, ``Name``) and returns a mapping; raising, returning something else or overrunning the
action's ``InvocationTimeLimitSeconds`` takes the flow's Error branch, as a failing Lambda does in Connect.
Framework-free on purpose: the composition root passes it to the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

LambdaFunction = Callable[[dict[str, Any]], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """What an action handler sees: the action's parameters (JSONPaths resolved) and the contact's flow data."""

    action_type: str
    identifier: str
    parameters: Mapping[str, Any]
    flow_data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ActionResult:
    """``result`` is compared with the action's Conditions (e.g. the Lex intent); ``data`` becomes flow data
    (``$.Lex`` for ConnectParticipantWithLexBot, ``$.Views`` for ShowView); ``error`` takes that Error branch."""

    result: str = ''
    data: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


ActionHandler = Callable[[ActionRequest], Awaitable[ActionResult]]


def function_name(ref: str) -> str:
    """A Lambda ARN's function name (``arn:aws:lambda:…:function:Name[:alias]`` -> ``Name``); a name stays itself."""
    parts = ref.split(':')
    if ref.startswith('arn:') and 'function' in parts:
        return parts[parts.index('function') + 1]
    return ref


@dataclass(slots=True)
class FlowExtensions:
    """The Python callables a team registers for its flows' Lambda functions and cloud-only actions."""

    functions: dict[str, LambdaFunction] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)

    def lambda_function(self, ref: str) -> Callable[[LambdaFunction], LambdaFunction]:
        """Register a callable for a function ARN or name (an ARN is also reachable by its function name)."""

        def register(function: LambdaFunction) -> LambdaFunction:
            self.functions[ref] = function
            return function

        return register

    def action(self, action_type: str) -> Callable[[ActionHandler], ActionHandler]:
        """Register an async handler for an action type the engine cannot run offline (Lex bots, views)."""

        def register(handler: ActionHandler) -> ActionHandler:
            self.actions[action_type] = handler
            return handler

        return register

    def function_for(self, ref: str) -> LambdaFunction | None:
        """The callable for a flow's ``LambdaFunctionARN``: by exact ARN, else by function name."""
        if ref in self.functions:
            return self.functions[ref]
        wanted = function_name(ref)
        for registered, function in self.functions.items():
            if function_name(registered) == wanted:
                return function
        return None

    @property
    def handled_types(self) -> frozenset[str]:
        return frozenset(self.actions)
