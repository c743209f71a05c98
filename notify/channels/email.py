"""E-mail: one SMTP connection (or provider session) for a whole batch."""

from __future__ import annotations

import smtplib

from django.core.mail import get_connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..mail import message_build
from .base import SENT, ChannelBackend, Outgoing, Result, item_text


class EmailChannel(ChannelBackend):
    name = "email"
    batch_size = 200

    def send(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        with get_connection(fail_silently=False) as connection:
            for outgoing in batch:
                subscriber = outgoing.delivery.subscriber
                title, summary = item_text(outgoing.item)
                with override(subscriber.language):
                    subject = (_("Alerte urgente : %s") if outgoing.delivery.urgent
                               else _("Alerte : %s")) % title
                    message = message_build(
                        subscriber=subscriber, subject=subject, template="alert",
                        context={"item": outgoing.item, "summary": summary})
                try:
                    connection.send_messages([message])
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
