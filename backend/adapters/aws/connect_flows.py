"""Create or update the shipped flows in an Amazon Connect instance, all or nothing.

Flows are found by name (ListContactFlows), then created with the right Type (CreateContactFlow, published) or
given new content (UpdateContactFlowContent). Flows are handled in dependency order because a flow's content names
the ARNs of the flows it uses. If one fails, the ones done before it are undone (created ones deleted, updated ones
given their old content back), so the instance is never left with half of a set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, AwsCallFailed, describe
from backend.flows.export import SourceFlow

log = logging.getLogger('vce.aws.flows')


@dataclass(frozen=True)
class FlowChange:
    name: str
    action: str  # 'created' | 'updated'
    flow_id: str
    arn: str
    previous_content: str | None = None


class ConnectFlowPublisher:
    """Publishes flow content to one instance; ``content_for(flow, ids)`` renders a flow given the ids known so far."""

    def __init__(self, client: Any, instance_id: str) -> None:
        self._client = client
        self._instance = instance_id

    def existing(self, types: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """Flows of these types by name (ListContactFlows, every page)."""
        found: dict[str, Mapping[str, Any]] = {}
        try:
            pages = self._client.get_paginator('list_contact_flows').paginate(
                InstanceId=self._instance, ContactFlowTypes=sorted(set(types)))
            for page in pages:
                for summary in page.get('ContactFlowSummaryList', []):
                    found[summary['Name']] = summary
        except AWS_ERRORS as error:
            raise describe('connect:ListContactFlows', error) from error
        return found

    def publish(self, flows: list[SourceFlow], content_for: Callable[[SourceFlow, Mapping[str, str]], str]
                ) -> list[FlowChange]:
        existing = self.existing(flow.connect_type for flow in flows)
        ids = {name: summary['Id'] for name, summary in existing.items()}
        done: list[FlowChange] = []
        for flow in flows:
            try:
                content = content_for(flow, ids)
                summary = existing.get(flow.name)
                if summary is not None and summary.get('ContactFlowType') != flow.connect_type:
                    raise AwsCallFailed(f'A flow named {flow.name} exists with type {summary.get("ContactFlowType")}'
                                        f', not {flow.connect_type}: rename or delete it in the Connect console',
                                        operation='connect:CreateContactFlow', code='TypeMismatch')
                change = self._update(flow, summary, content) if summary else self._create(flow, content)
            except Exception as error:
                undo_problems = self._undo(done)
                if isinstance(error, AwsCallFailed):
                    note = (' Nothing was left changed: the flows done before it were undone.' if not undo_problems
                            else ' Undoing the flows done before it also failed: ' + '; '.join(undo_problems))
                    raise AwsCallFailed(f'{error}{note}', operation=error.operation, code=error.code) from error
                raise
            ids[flow.name] = change.flow_id
            done.append(change)
        log.info('connect.flows_published instance=%s %s', self._instance,
                 ' '.join(f'{c.name}:{c.action}' for c in done))
        return done

    # internals

    def _create(self, flow: SourceFlow, content: str) -> FlowChange:
        try:
            response = self._client.create_contact_flow(InstanceId=self._instance, Name=flow.name,
                                                        Type=flow.connect_type, Content=content, Status='PUBLISHED',
                                                        Description=_description(flow))
        except AWS_ERRORS as error:
            raise _flow_error('connect:CreateContactFlow', flow.name, error) from error
        return FlowChange(flow.name, 'created', response['ContactFlowId'], response['ContactFlowArn'])

    def _update(self, flow: SourceFlow, summary: Mapping[str, Any], content: str) -> FlowChange:
        previous = self._content_of(summary['Id'])
        try:
            self._client.update_contact_flow_content(InstanceId=self._instance, ContactFlowId=summary['Id'],
                                                     Content=content)
        except AWS_ERRORS as error:
            raise _flow_error('connect:UpdateContactFlowContent', flow.name, error) from error
        return FlowChange(flow.name, 'updated', summary['Id'], summary['Arn'], previous)

    def _content_of(self, flow_id: str) -> str | None:
        """The published content, for undo; None when it cannot be read (e.g. never published)."""
        try:
            return self._client.describe_contact_flow(InstanceId=self._instance,
                                                      ContactFlowId=flow_id)['ContactFlow'].get('Content')
        except AWS_ERRORS as error:
            log.warning('connect.flow_content_unreadable flow=%s error=%s', flow_id, describe(
                'connect:DescribeContactFlow', error))
            return None

    def _undo(self, done: list[FlowChange]) -> list[str]:
        problems = []
        for change in reversed(done):
            try:
                if change.action == 'created':
                    self._client.delete_contact_flow(InstanceId=self._instance, ContactFlowId=change.flow_id)
                elif change.previous_content is not None:
                    self._client.update_contact_flow_content(InstanceId=self._instance, ContactFlowId=change.flow_id,
                                                             Content=change.previous_content)
                else:
                    problems.append(f'{change.name}: its earlier content could not be read, so it keeps the new one')
            except AWS_ERRORS as error:
                problems.append(f'{change.name}: {describe("connect:undo", error)}')
        return problems


def _flow_error(operation: str, name: str, error: BaseException) -> AwsCallFailed:
    """Connect's InvalidContactFlowException lists the content problems; show each of them."""
    failure = describe(operation, error)
    problems = getattr(error, 'response', {}).get('problems') or []
    details = '; '.join(str(p.get('message')) for p in problems if isinstance(p, Mapping))
    message = f'{name}: {failure}' + (f' — Connect found: {details}' if details else '')
    return AwsCallFailed(message, operation=failure.operation, code=failure.code)


def _description(flow: SourceFlow) -> str:
    text = str((flow.data.get('Metadata') or {}).get('description') or 'Video Call Escalation flow')
    return text[:500]
