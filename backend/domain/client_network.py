"""The client network a per-client limit counts against.

One rule in one place for every such limit (reference redemptions, chat starts, calls, open chats): a customer's
address is bucketed to the network one subscriber controls, so rotating through addresses one holds buys nothing.
"""

from __future__ import annotations

import ipaddress

IPV6_SUBSCRIBER_PREFIX = 64  # what one subscriber usually gets (RFC 6177): its 2^64 addresses are one network


def address_bucket(client_address: str) -> str:
    """The network a rate limit applies to: an IPv4 address, or an IPv6 /64 (one subscriber's usual allocation,
    so rotating through its 2^64 addresses does not buy more guesses). Unparsable values count as themselves."""
    text = client_address.strip().lower()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_SUBSCRIBER_PREFIX), strict=False))
    return str(address)
