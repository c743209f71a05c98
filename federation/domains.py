"""Domain names as the blocklist stores and compares them."""

import idna


def domain_normalized(value: str) -> str:
    """A host without user, port or trailing dot, lower-cased and in its ASCII (IDNA)
    form: "Bücher.Example.:443" and "xn--bcher-kva.example" are the same domain."""
    host = value.strip().rsplit("@", 1)[-1]
    if host.startswith("["):  # an IPv6 literal
        return host[1:].split("]", 1)[0].lower()
    host = host.split(":", 1)[0].rstrip(".").lower()
    if not host:
        return ""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host  # not a valid name (an underscore…): compared as it is


def domain_and_parents(value: str) -> list[str]:
    """The normalised domain and each of its parent domains."""
    parts = domain_normalized(value).split(".")
    return sorted({".".join(parts[i:]) for i in range(len(parts))})
