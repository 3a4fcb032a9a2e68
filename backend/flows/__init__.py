"""The Amazon Connect flow language (Version 2019-10-30) for the local contact-centre engine.

Validate and load flow JSON files, then run them with :func:`run_flow` against a :class:`FlowHost`.
"""

from __future__ import annotations

from backend.flows.host import FlowActionError, FlowHost
from backend.flows.interpreter import MAX_ACTIONS_WITHOUT_WAIT, FlowOutcome, run_flow
from backend.flows.loader import (
    FlowLibrary,
    check_flow_file,
    check_flow_files,
    flow_name_for_ref,
    load_flow_file,
    load_flow_library,
)
from backend.flows.model import FLOW_VERSION, Action, Condition, ErrorTransition, Flow
from backend.flows.validation import SUPPORTED_ACTION_TYPES, InvalidFlowError, check_flow, parse_flow

__all__ = [
    'FLOW_VERSION',
    'MAX_ACTIONS_WITHOUT_WAIT',
    'SUPPORTED_ACTION_TYPES',
    'Action',
    'Condition',
    'ErrorTransition',
    'Flow',
    'FlowActionError',
    'FlowHost',
    'FlowLibrary',
    'FlowOutcome',
    'InvalidFlowError',
    'check_flow',
    'check_flow_file',
    'check_flow_files',
    'flow_name_for_ref',
    'load_flow_file',
    'load_flow_library',
    'parse_flow',
    'run_flow',
]
