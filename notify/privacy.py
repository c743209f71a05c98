"""Addresses as the admin shows them: never in full (RGPD, issue 27)."""


def mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    return f"{phone[:3]}******{phone[-2:]}"
