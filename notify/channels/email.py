"""E-mail: a batch is sent over NOTIFY_SMTP_CONNECTIONS SMTP connections (or provider
sessions) at once, each carrying its share of the batch: the wait for the server's
replies to one message overlaps the building and the sending of the others. Over SMTP,
a message is serialised once per item and language; each subscriber's copy only swaps
its address, its links and its Message-ID in those bytes (notify.mail.MessageTemplate)."""

from __future__ import annotations

import smtplib
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..mail import MessageTemplate
from .base import SENT, ChannelBackend, Outgoing, Result, item_text


class EmailChannel(ChannelBackend):
    name = "email"
    batch_size = 200

    def send(self, batch: list[Outgoing]) -> list[Result]:
        connections = max(1, min(settings.NOTIFY_SMTP_CONNECTIONS, len(batch)))
        shares = [batch[start::connections] for start in range(connections)]
        with ThreadPoolExecutor(max_workers=connections,
                                thread_name_prefix="notify-smtp") as pool:
            sent = list(pool.map(self._send_share, shares))
        by_delivery = {id(outgoing): result for share, results in zip(shares, sent, strict=True)
                       for outgoing, result in zip(share, results, strict=True)}
        return [by_delivery[id(outgoing)] for outgoing in batch]

    def _send_share(self, share: list[Outgoing]) -> list[Result]:
        """One connection's share of the batch, in order."""
        results: list[Result] = []
        rendered: dict[tuple, MessageTemplate] = {}
        with get_connection(fail_silently=False) as connection:
            smtp = isinstance(connection, SmtpBackend)
            sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
            for outgoing in share:
                subscriber = outgoing.delivery.subscriber
                key = (outgoing.item.pk, subscriber.language, outgoing.delivery.urgent)
                if key not in rendered:
                    rendered[key] = self._render(outgoing, subscriber.language)
                template = rendered[key]
                wire = template.wire(subscriber) if smtp else None
                try:
                    if wire is None:
                        connection.send_messages([template.build(subscriber)])
                    else:
                        connection.connection.sendmail(sender, [subscriber.email], wire)
                except smtplib.SMTPRecipientsRefused as error:
                    # The codes only: the log must not hold the address (RGPD).
                    codes = " ".join(str(code) for code, _text in error.recipients.values())
                    results.append(Result(sent=False, error=f"recipient refused: {codes}",
                                          permanent=True))
                except (smtplib.SMTPException, OSError) as error:
                    results.append(Result(sent=False, error=f"{type(error).__name__}: {error}"))
                else:
                    results.append(SENT)
        return results

    @staticmethod
    def _render(outgoing: Outgoing, language: str) -> MessageTemplate:
        title, summary = item_text(outgoing.item)
        with override(language):
            subject = (_("Alerte urgente : %s") if outgoing.delivery.urgent
                       else _("Alerte : %s")) % title
        return MessageTemplate(language=language, subject=subject, template="alert",
                               context={"item": outgoing.item, "summary": summary})
