"""Messages that quote a contact-level metric must be reached only through a check that the metric is there.

GetMetricData's documented parameters (``QueueId``, ``AgentId``, ``QueueChannel``) select no contact-level metric;
Amazon Connect loads the contact's position in queue only when its flow designer was told to, and an exported flow
carries no documented trace of that. A message quoting ``$.Metrics.Contact.PositionInQueue`` straight after
GetMetricData would then read "You are number  in the queue". So such a message must be reached only from a Compare
on that very path whose condition needs a number. This reads raw flow JSON (the published content in Connect may
hold actions the local engine does not run), so ``vce doctor`` can check what an instance actually runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

CONTACT_METRIC_PATHS = ('$.Metrics.Contact.PositionInQueue',)


def unguarded_metric_messages(flow: Mapping[str, Any]) -> list[str]:
    """``'<message id> (from <action id>)'`` for each way into a message that quotes a contact-level metric
    without a Compare on it having found a number; empty when every such message is guarded."""
    actions = {str(a.get('Identifier')): a for a in flow.get('Actions') or [] if isinstance(a, Mapping)}
    problems = []
    for identifier, action in actions.items():
        quoted = [path for path in CONTACT_METRIC_PATHS if path in _text(action)]
        if not quoted:
            continue
        for source, how in _ways_in(actions, identifier):
            if not any(_is_guard(actions[source], how, path) for path in quoted):
                problems.append(f'{identifier} (from {source})')
        if identifier == flow.get('StartAction'):
            problems.append(f'{identifier} (the start)')
    return problems


def _text(action: Mapping[str, Any]) -> str:
    """What a message action says: MessageParticipant's Text, or every Text of MessageParticipantIteratively."""
    parameters = action.get('Parameters')
    if not isinstance(parameters, Mapping):
        return ''
    if action.get('Type') == 'MessageParticipant':
        text = parameters.get('Text')
        return text if isinstance(text, str) else ''
    if action.get('Type') == 'MessageParticipantIteratively':
        messages = parameters.get('Messages')
        return '\n'.join(m['Text'] for m in messages if isinstance(m, Mapping) and isinstance(m.get('Text'), str)) \
            if isinstance(messages, list) else ''
    return ''


def _ways_in(actions: Mapping[str, Mapping[str, Any]], target: str) -> Iterator[tuple[str, Any]]:
    """(source action, the transition taken) for each transition that leads to ``target``."""
    for source, action in actions.items():
        transitions = action.get('Transitions')
        if not isinstance(transitions, Mapping):
            continue
        if transitions.get('NextAction') == target:
            yield source, 'NextAction'
        for kind in ('Errors', 'Conditions'):
            for entry in transitions.get(kind) or []:
                if isinstance(entry, Mapping) and entry.get('NextAction') == target:
                    yield source, entry


def _is_guard(action: Mapping[str, Any], how: Any, path: str) -> bool:
    """A Compare on ``path`` entered through a condition with a number operator (an empty value matches none)."""
    parameters = action.get('Parameters')
    if action.get('Type') != 'Compare' or not isinstance(parameters, Mapping):
        return False
    condition = how.get('Condition') if isinstance(how, Mapping) else None
    operator = condition.get('Operator') if isinstance(condition, Mapping) else None
    return parameters.get('ComparisonValue') == path and str(operator or '').startswith('Number')
