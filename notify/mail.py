"""E-mail messages to subscribers: one builder, the unsubscribe headers on each.

Every message carries `List-Unsubscribe` with an https link and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail client
unsubscribes with one POST, no page, no login.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from . import links
from .models import Subscriber

# Stand-ins for a subscriber's own links: a message is rendered once per language and
# item, then each subscriber's copy only swaps these (a worker sends thousands).
_MANAGE = "clocher-manage-url-7f3a"
_UNSUBSCRIBE = "clocher-unsubscribe-url-7f3a"
_TO = "clocher-recipient-7f3a@example.invalid"
_MESSAGE_ID = "clocher-message-id-7f3a"
# The addresses a copy's bytes may take as they are (others go through Django's builder,
# which encodes them).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


class MessageTemplate:
    """A text + HTML message from `notify/mail/<template>.txt|html`, rendered once in
    one language; `build()` makes one subscriber's copy, `wire()` its bytes for SMTP."""

    def __init__(self, *, language: str, subject: str, template: str, context: dict,
                 unsubscribe: bool = True) -> None:
        self.subject, self.unsubscribe = subject, unsubscribe
        with translation.override(language):
            context = {**context, "manage_url": _MANAGE}
            if unsubscribe:
                context["unsubscribe_url"] = _UNSUBSCRIBE
            self.text = render_to_string(f"notify/mail/{template}.txt", context)
            self.html = render_to_string(f"notify/mail/{template}.html", context)
        self._wire: bytes | None = None

    def build(self, subscriber: Subscriber, *, to: str | None = None) -> EmailMultiAlternatives:
        return self._message(manage=links.manage_url(subscriber),
                             unsubscribe=links.unsubscribe_url(subscriber),
                             to=to or subscriber.email)

    def _message(self, *, manage: str, unsubscribe: str, to: str,
                 headers: dict | None = None) -> EmailMultiAlternatives:
        text = self.text.replace(_MANAGE, manage)
        html = self.html.replace(_MANAGE, escape(manage))
        headers = dict(headers or {})
        if self.unsubscribe:
            text = text.replace(_UNSUBSCRIBE, unsubscribe)
            html = html.replace(_UNSUBSCRIBE, escape(unsubscribe))
            headers.update({"List-Unsubscribe": f"<{unsubscribe}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
        message = EmailMultiAlternatives(subject=self.subject, body=text,
                                         from_email=settings.DEFAULT_FROM_EMAIL,
                                         to=[to], headers=headers)
        message.attach_alternative(html, "text/html")
        return message

    def wire(self, subscriber: Subscriber) -> bytes | None:
        """The subscriber's copy as the bytes an SMTP server receives, from the message
        serialised once per template (building and serialising a MIME message costs
        about half a millisecond; a worker sends tens of thousands). None when the copy
        needs Django's builder: an address or a link it would have to encode."""
        manage, unsubscribe = links.manage_url(subscriber), links.unsubscribe_url(subscriber)
        prototype = self._prototype()
        if (not prototype or not _PLAIN_ADDRESS.fullmatch(subscriber.email)
                or escape(manage) != manage or escape(unsubscribe) != unsubscribe):
            return None
        return (prototype.replace(_TO.encode(), subscriber.email.encode())
                .replace(_MESSAGE_ID.encode(), uuid.uuid4().hex.encode())
                .replace(_MANAGE.encode(), manage.encode())
                .replace(_UNSUBSCRIBE.encode(), unsubscribe.encode()))

    def _prototype(self) -> bytes:
        """The message with stand-ins, serialised; b"" when a stand-in did not come out
        whole (a body encoded in quoted-printable or base64 may cut or encode it)."""
        if self._wire is None:
            wire = self._message(
                manage=_MANAGE, unsubscribe=_UNSUBSCRIBE, to=_TO,
                headers={"Message-ID": f"<{_MESSAGE_ID}@{DNS_NAME}>"},
            ).message().as_bytes(linesep="\r\n")
            expected = {_TO: 1, _MESSAGE_ID: 1,
                        _MANAGE: self.text.count(_MANAGE) + self.html.count(_MANAGE),
                        _UNSUBSCRIBE: (self.text.count(_UNSUBSCRIBE)
                                       + self.html.count(_UNSUBSCRIBE) + self.unsubscribe)}
            whole = all(wire.count(stand_in.encode()) == count
                        for stand_in, count in expected.items())
            self._wire = wire if whole else b""
        return self._wire


def message_build(*, subscriber: Subscriber, subject: str, template: str,
                  context: dict, unsubscribe: bool = True,
                  to: str | None = None) -> EmailMultiAlternatives:
    """A text + HTML message from `notify/mail/<template>.txt|html`, in the subscriber's
    language."""
    return MessageTemplate(language=subscriber.language, subject=subject, template=template,
                           context={**context, "subscriber": subscriber},
                           unsubscribe=unsubscribe).build(subscriber, to=to)
