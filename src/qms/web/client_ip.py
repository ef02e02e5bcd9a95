"""The address a request came from, for login throttling (django-axes) behind proxies.

Without trusted proxies it is REMOTE_ADDR: an X-Forwarded-For header from a client is ignored,
or anyone could pose as any address and spread guesses over made-up ones. Behind a reverse
proxy (a load balancer, the hospital's TLS terminator), REMOTE_ADDR is the proxy, and every
person would share its address; list the proxies in QMS_TRUSTED_PROXIES (addresses or
networks, comma-separated) and the client is the address the nearest untrusted hop gave:
X-Forwarded-For read from the right, skipping the trusted proxies, as nginx's real_ip does.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(settings.QMS_TRUSTED_PROXIES))
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed header: fall back to the proxy's address
    return remote
