"""Client networks: what per-client limits count by.

A limit per client *address* is cheap to dodge on IPv6, where one subscriber usually holds a whole /64, so limits count
per *network*: an IPv4 address, or an IPv6 /64. The address itself comes from the socket's peer, unless that peer is a
proxy the operator listed in ``VCE_TRUSTED_PROXIES`` (then the right-most ``X-Forwarded-For`` hop that is not one of
those proxies); docs/security/proxies.md.
"""

from __future__ import annotations

import ipaddress

UNKNOWN_NETWORK = 'unknown'  # no peer address at all (a test transport, a unix socket): one shared bucket
IPV6_NETWORK_PREFIX = 64
MAX_NON_IP_LENGTH = 64  # a value that is not an IP address counts as itself, cut to this length


def client_network(client_address: str) -> str:
    """The network a per-client limit applies to: an IPv4 address, an IPv6 /64 (IPv4-mapped IPv6 counts as the IPv4
    address), or, for a value that is not an IP address, the value itself (lower-cased, cut short)."""
    text = (client_address or '').strip().lower()
    if not text:
        return UNKNOWN_NETWORK
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:MAX_NON_IP_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_PREFIX), strict=False))
    return str(address)

