"""The AWS actions the running server calls, read from the code (for the task role's least-privilege test).

1. The server's adapters: the ``backend.adapters.aws`` modules the composition root imports on the server's path
   (``SERVER_PATH``), and everything those import from the package, transitively.
2. In those modules, every boto3 operation named in the code: a client attribute (``client.search_users``), an
   operation name in a string (``self._call('PutItem', …)``, ``get_paginator('get_parameters_by_path')``), and the
   item actions inside ``TransactWriteItems``. The operation names come from botocore's models, offline.
3. Minus the functions only operator tools run (``TOOL_ONLY``) and the calls made as another identity
   (``OTHER_IDENTITY``), each with its reason; mapped to IAM actions (``IAM_PREFIX``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

from backend.settings import PROJECT_ROOT

PACKAGE = 'backend.adapters.aws'
SERVER_PATH = ('load_settings', 'ssm_parameter_store', 'build_services', '_build_aws_services', '_aws_chat',
               '_ccp_login', '_federation', '_default_aws_clients', '_meeting_provider', 'build_single_sign_on',
               'build_login_accounts', '_recordings', '_dynamo_recordings')
IAM_PREFIX = {'connect': 'connect', 'dynamodb': 'dynamodb', 'chime-sdk-meetings': 'chime', 'sts': 'sts',
              'ssm': 'ssm', 'connectparticipant': None,  # None: authorised by the participant's token, not IAM
              'chime-sdk-media-pipelines': 'chime', 's3': 's3'}
S3_ACTIONS = {  # S3 operations whose IAM action has another name
    'ListObjectsV2': 's3:ListBucket', 'HeadObject': 's3:GetObject', 'DeleteObjects': 's3:DeleteObject'}
IMPLIED = {  # IAM action: what else it needs, with the reason
    's3:GetObject': ('kms:Decrypt', 'the recordings bucket is KMS-encrypted: reading an object (a presigned URL '
                     'signed by the task role) decrypts with the key'),
}
TRANSACTION = 'TransactWriteItems'  # authorised as the item actions inside it (DynamoDB's IAM rules)
TRANSACTION_ITEMS = {'Put': 'PutItem', 'Update': 'UpdateItem', 'Delete': 'DeleteItem',
                     'ConditionCheck': 'ConditionCheckItem'}
TOOL_ONLY = {  # module: functions of it that only the operator's commands run
    'ssm_parameters': {'SsmParameters.save', 'SsmParameters.delete_all', 'SsmParameters._put_or_delete',
                       'SsmParameters._undo'},  # vce configure
    'dynamo_table': {'ensure_table', 'table_problems'},  # vce create-table, vce doctor
}
WHICH_SERVICE: dict[tuple[str, str], str | None] = {  # (module, a name that is ambiguous there): what it is
    ('connect_federation', 'get_federation_token'): 'connect',  # on the Connect client; STS is only AssumeRole
    ('connect_chat_session', 'get_meeting'): None,  # the MeetingStore port's method, not Chime's GetMeeting
}
OTHER_IDENTITY = {  # IAM action: why the task role does not need it
    'connect:GetFederationToken': 'called with the assumed federation role\'s credentials: that role needs it',
}


@cache
def operations() -> dict[str, set[str]]:
    """Each operation name (PascalCase and snake_case) -> the services of IAM_PREFIX that have it."""
    session = botocore.session.get_session()
    names: dict[str, set[str]] = {}
    for service in IAM_PREFIX:
        for operation in session.get_service_model(service).operation_names:
            for name in (operation, xform_name(operation)):
                names.setdefault(name, set()).add(service)
    return names


def server_modules() -> set[str]:
    """Short names of the package's modules on the server's path (``dynamo_store``, ``connect_users``, …)."""
    root = _parse(PROJECT_ROOT / 'backend' / 'bootstrap.py')
    functions = [node for node in root.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                 and node.name in SERVER_PATH]
    assert {f.name for f in functions} == set(SERVER_PATH), 'a server-path function was renamed'
    todo = {module for function in functions for module in _package_imports(function)}
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo |= _package_imports(_parse(_path(module)))
    return seen


def server_iam_actions() -> dict[str, set[str]]:
    """IAM action -> the ``module:function`` places that need it, for every call on the server's path."""
    found: dict[str, set[str]] = {}
    for module in sorted(server_modules()):
        tree = _parse(_path(module))
        transactional = any(isinstance(n, ast.Constant) and n.value == TRANSACTION for n in ast.walk(tree))
        for function, node in _nodes_by_function(tree):
            if function in TOOL_ONLY.get(module, set()):
                continue
            for service, operation in _operations_in(node, module, transactional):
                prefix = IAM_PREFIX[service]
                if prefix is None or operation == TRANSACTION:
                    continue
                action = S3_ACTIONS.get(operation, f'{prefix}:{operation}') if service == 's3' else \
                    f'{prefix}:{operation}'
                if action not in OTHER_IDENTITY:
                    found.setdefault(action, set()).add(f'{module}:{function}')
                    if action in IMPLIED:
                        found.setdefault(IMPLIED[action][0], set()).add(f'{module}:{function}')
    return found


def _operations_in(node: ast.AST, module: str, transactional: bool) -> Iterator[tuple[str, str]]:
    name = None
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        name = node.value
    if name is not None and name in operations():
        services = operations()[name]
        if (module, name) in WHICH_SERVICE:
            chosen = WHICH_SERVICE[module, name]
            if chosen is None:
                return
            services = {chosen}
        assert len(services) == 1, f'{name!r} is an operation of {sorted(services)}: say which one in the test'
        (service,) = services
        model = botocore.session.get_session().get_service_model(service)
        pascal = next(op for op in model.operation_names if name in (op, xform_name(op)))
        yield service, pascal
    if transactional and isinstance(node, ast.Dict):
        for key in node.keys:
            if isinstance(key, ast.Constant) and key.value in TRANSACTION_ITEMS:
                yield 'dynamodb', TRANSACTION_ITEMS[key.value]


def _nodes_by_function(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Every node with the qualified name of the function (or class body, or module) it is written in."""

    def visit(node: ast.AST, owner: str) -> Iterator[tuple[str, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from visit(child, f'{owner}.{child.name}' if owner else child.name)
            else:
                yield owner, child
                yield from visit(child, owner)

    yield from visit(tree, '')


def _package_imports(node: ast.AST) -> set[str]:
    modules = set()
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith(PACKAGE):
            rest = child.module.removeprefix(PACKAGE).lstrip('.')
            if rest:
                modules.add(rest.split('.')[0])
            else:  # from backend.adapters.aws import dynamo_items as items
                modules |= {alias.name for alias in child.names}
    return modules


def _path(module: str) -> Path:
    base = PROJECT_ROOT / 'backend' / 'adapters' / 'aws' / module
    return base / '__init__.py' if base.is_dir() else base.with_suffix('.py')


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding='utf-8'))
