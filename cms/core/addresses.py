"""Which network addresses the server may contact on someone else's say (SSRF).

A URL that comes from outside (a remote actor, a resident's browser) must not make
the server talk to itself, its private network or a cloud metadata service. The
federation client and the push sender both ask this one question.
"""

from __future__ import annotations

import ipaddress

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


def address_is_public(address: str) -> bool:
    """Whether an IP address (v4, v6, IPv4-mapped v6) may be contacted."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
    if ip in METADATA_ADDRESSES:
        return False
    return not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )
