"""The Redis that lets several server processes share NiceGUI's storage and the product's own keys (the
multi-process work reads ``VCE_REDIS_URL`` and NiceGUI ``NICEGUI_REDIS_URL``): ElastiCache, TLS in transit,
encrypted at rest, in the private subnets, reachable only from the service's security group."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from constructs import Construct

REDIS_PORT = 6390  # not the default 6379: one more thing a scan of the network must guess


@dataclass(frozen=True)
class Redis:
    url: str  # rediss://host:port (TLS)
    security_group: ec2.SecurityGroup
    cluster: elasticache.CfnReplicationGroup


def build_redis(scope: Construct, *, vpc: ec2.Vpc, clients: ec2.SecurityGroup, node_type: str, replicas: int
                ) -> Redis:
    group = ec2.SecurityGroup(scope, 'RedisSecurityGroup', vpc=vpc, allow_all_outbound=False,
                              description='Redis: only the service may connect')
    group.add_ingress_rule(clients, ec2.Port.tcp(REDIS_PORT), 'the service\'s tasks')
    subnets = elasticache.CfnSubnetGroup(scope, 'RedisSubnets', description='Redis in the private subnets',
                                         subnet_ids=[subnet.subnet_id for subnet in vpc.private_subnets])
    failover = replicas > 0
    cluster = elasticache.CfnReplicationGroup(
        scope, 'Redis', replication_group_description='Video Call Escalation: shared state of the processes',
        engine='redis', engine_version='7.1', cache_node_type=node_type, num_cache_clusters=1 + replicas,
        automatic_failover_enabled=failover, multi_az_enabled=failover, port=REDIS_PORT,
        transit_encryption_enabled=True, at_rest_encryption_enabled=True,
        cache_subnet_group_name=subnets.ref, security_group_ids=[group.security_group_id],
        snapshot_retention_limit=1, auto_minor_version_upgrade=True)
    return Redis(url=f'rediss://{cluster.attr_primary_end_point_address}:{cluster.attr_primary_end_point_port}',
                 security_group=group, cluster=cluster)
