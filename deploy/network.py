"""The network: a VPC over two zones, the load balancer in public subnets, the tasks and Redis in private ones
(out through NAT: Connect's participant websockets and the AWS APIs), and a flow log of rejected traffic."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

VPC_CIDR = '10.40.0.0/16'


def build_vpc(scope: Construct, *, nat_gateways: int, retention: logs.RetentionDays) -> ec2.Vpc:
    vpc = ec2.Vpc(scope, 'Vpc', ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR), max_azs=2, nat_gateways=nat_gateways,
                  subnet_configuration=[
                      ec2.SubnetConfiguration(name='Public', subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                      ec2.SubnetConfiguration(name='Private', subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                                              cidr_mask=22)])
    flow_logs = logs.LogGroup(scope, 'VpcFlowLogs', retention=retention, removal_policy=RemovalPolicy.DESTROY)
    vpc.add_flow_log('RejectedTraffic', destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                     traffic_type=ec2.FlowLogTrafficType.REJECT)
    return vpc


def load_balancer_networks(vpc: ec2.Vpc) -> str:
    """VCE_TRUSTED_PROXIES: the public subnets the load balancer's nodes sit in (docs/security/proxies.md)."""
    return ','.join(subnet.ipv4_cidr_block for subnet in vpc.public_subnets)
