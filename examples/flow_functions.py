"""Example: answer a flow's "Invoke AWS Lambda function" block in local mode with a Python function, then run the
product. In aws mode Amazon Connect calls the real Lambda; the same function body can be that Lambda's handler,
because it gets the event Connect sends (``Details.ContactData``, ``Details.Parameters``).

    python -m examples.flow_functions      # same as `vce demo`, with this function behind the flows' Lambda ARN

A flow uses it like any Lambda: ``InvokeLambdaFunction`` with ``LambdaFunctionARN`` set to the ARN below (or just
``CustomerLookup``), then reads ``$.External.tier`` (e.g. in a Compare to set a higher queue priority).
"""

from __future__ import annotations

from typing import Any

from backend.flows.extensions import FlowExtensions

flow_extensions = FlowExtensions()

GOLD_DOMAINS = ('example.com',)


@flow_extensions.lambda_function('arn:aws:lambda:eu-west-2:111122223333:function:CustomerLookup')
def customer_lookup(event: dict[str, Any], context: object = None) -> dict[str, str]:
    """A customer's tier from their email's domain (a stand-in for a CRM call). Returns a flat map of strings, as
    the block's default STRING_MAP response validation wants."""
    contact = event['Details']['ContactData']
    email = contact.get('CustomerEndpoint', {}).get('Address', '')
    asked_for = event['Details']['Parameters'].get('purpose', 'routing')
    tier = 'gold' if email.rpartition('@')[2] in GOLD_DOMAINS else 'standard'
    return {'tier': tier, 'purpose': asked_for}


if __name__ in {'__main__', '__mp_main__'}:
    from backend.settings import Settings
    from vce.web import run

    run(Settings(demo=True), flow_extensions=flow_extensions)
