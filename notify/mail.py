"""E-mail messages to subscribers: one builder, the unsubscribe headers on each.

Every message carries `List-Unsubscribe` with an https link and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail client
unsubscribes with one POST, no page, no login.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from . import links
from .models import Subscriber


def message_build(*, subscriber: Subscriber, subject: str, template: str,
                  context: dict, unsubscribe: bool = True,
                  to: str | None = None) -> EmailMultiAlternatives:
    """A text + HTML message from `notify/mail/<template>.txt|html`, in the subscriber's
    language."""
    with translation.override(subscriber.language):
        context = {**context, "subscriber": subscriber,
                   "manage_url": links.manage_url(subscriber)}
        headers = {}
        if unsubscribe:
            context["unsubscribe_url"] = links.unsubscribe_url(subscriber)
            headers = {"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        text = render_to_string(f"notify/mail/{template}.txt", context)
        html = render_to_string(f"notify/mail/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[to or subscriber.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
