"""An e-mail backend whose server refuses every message (a mail server down): the
failure path, which a loopback SMTP server cannot be asked to produce on demand."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


class RefuseOneBackend(BaseEmailBackend):
    """Accepts every message except to refuse@example.org (an unknown mailbox)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if "refuse@example.org" in message.to:
                raise smtplib.SMTPRecipientsRefused({"refuse@example.org": (550, b"no")})
        return len(email_messages)
