"""The data the product keeps: the DynamoDB table (the key schema of ``backend/adapters/aws/dynamo_table.py``, TTL
on) and the generated secrets. ``retain_data`` decides whether they outlive the stack (``vce destroy``)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from backend import bootstrap

SECRET_LENGTH = 48


def removal_policy(retain_data: bool) -> RemovalPolicy:
    return RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY


def build_table(scope: Construct, *, retain_data: bool) -> dynamodb.CfnTable:
    """The table as ``vce create-table`` makes it (same definition), plus point-in-time recovery and TTL."""
    definition, ttl_attribute = bootstrap.table_definition()
    table = dynamodb.CfnTable(
        scope, 'Table',
        billing_mode=definition['BillingMode'],
        attribute_definitions=[dynamodb.CfnTable.AttributeDefinitionProperty(
            attribute_name=a['AttributeName'], attribute_type=a['AttributeType'])
            for a in definition['AttributeDefinitions']],
        key_schema=_keys(definition['KeySchema']),
        global_secondary_indexes=[dynamodb.CfnTable.GlobalSecondaryIndexProperty(
            index_name=index['IndexName'], key_schema=_keys(index['KeySchema']),
            projection=dynamodb.CfnTable.ProjectionProperty(projection_type=index['Projection']['ProjectionType']))
            for index in definition['GlobalSecondaryIndexes']],
        time_to_live_specification=dynamodb.CfnTable.TimeToLiveSpecificationProperty(
            enabled=True, attribute_name=ttl_attribute),
        point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
            point_in_time_recovery_enabled=True),
        sse_specification=dynamodb.CfnTable.SSESpecificationProperty(sse_enabled=True))
    table.apply_removal_policy(removal_policy(retain_data))
    return table


def generated_secret(scope: Construct, construct_id: str, description: str, *, retain_data: bool
                     ) -> secretsmanager.Secret:
    return secretsmanager.Secret(
        scope, construct_id, description=description, removal_policy=removal_policy(retain_data),
        generate_secret_string=secretsmanager.SecretStringGenerator(password_length=SECRET_LENGTH,
                                                                    exclude_punctuation=True))


def _keys(schema: list[dict[str, str]]) -> list[dynamodb.CfnTable.KeySchemaProperty]:
    return [dynamodb.CfnTable.KeySchemaProperty(attribute_name=k['AttributeName'], key_type=k['KeyType'])
            for k in schema]
