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
from django.utils.html import escape

from . import links
from .models import Subscriber

# Stand-ins for a subscriber's own links: a message is rendered once per language and
# item, then each subscriber's copy only swaps these (a worker sends thousands).
_MANAGE = "clocher-manage-url-7f3a"
_UNSUBSCRIBE = "clocher-unsubscribe-url-7f3a"


class MessageTemplate:
    """A text + HTML message from `notify/mail/<template>.txt|html`, rendered once in
    one language; `build()` makes one subscriber's copy."""

    def __init__(self, *, language: str, subject: str, template: str, context: dict,
                 unsubscribe: bool = True) -> None:
        self.subject, self.unsubscribe = subject, unsubscribe
        with translation.override(language):
            context = {**context, "manage_url": _MANAGE}
            if unsubscribe:
                context["unsubscribe_url"] = _UNSUBSCRIBE
            self.text = render_to_string(f"notify/mail/{template}.txt", context)
            self.html = render_to_string(f"notify/mail/{template}.html", context)

    def build(self, subscriber: Subscriber, *, to: str | None = None) -> EmailMultiAlternatives:
        manage = links.manage_url(subscriber)
        text = self.text.replace(_MANAGE, manage)
        html = self.html.replace(_MANAGE, escape(manage))
        headers = {}
        if self.unsubscribe:
            unsubscribe = links.unsubscribe_url(subscriber)
            text = text.replace(_UNSUBSCRIBE, unsubscribe)
            html = html.replace(_UNSUBSCRIBE, escape(unsubscribe))
            headers = {"List-Unsubscribe": f"<{unsubscribe}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        message = EmailMultiAlternatives(subject=self.subject, body=text,
                                         from_email=settings.DEFAULT_FROM_EMAIL,
                                         to=[to or subscriber.email], headers=headers)
        message.attach_alternative(html, "text/html")
        return message


def message_build(*, subscriber: Subscriber, subject: str, template: str,
                  context: dict, unsubscribe: bool = True,
                  to: str | None = None) -> EmailMultiAlternatives:
    """A text + HTML message from `notify/mail/<template>.txt|html`, in the subscriber's
    language."""
    return MessageTemplate(language=subscriber.language, subject=subject, template=template,
                           context={**context, "subscriber": subscriber},
                           unsubscribe=unsubscribe).build(subscriber, to=to)
