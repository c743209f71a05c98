"""An e-mail backend whose server refuses every message (a mail server down): the
failure path, which a loopback SMTP server cannot be asked to produce on demand."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
