"""Print a new VAPID key pair for Web Push (NOTIFY_VAPID_PRIVATE_KEY, …_PUBLIC_KEY)."""

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid, b64urlencode


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push; print it as environment variables."

    def handle(self, *args, **options):
        vapid = Vapid()
        vapid.generate_keys()
        private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        self.stdout.write(f"NOTIFY_VAPID_PRIVATE_KEY={b64urlencode(private)}\n"
                          f"NOTIFY_VAPID_PUBLIC_KEY={b64urlencode(public)}\n")
