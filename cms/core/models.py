"""Rate-limit counters, for deployments whose shared cache is the database (ratelimit.py)."""

from django.db import models


class RateCounter(models.Model):
    """Requests of one client in one window of one limit; rows past `expires_at` are
    deleted when a new window starts (ratelimit.DatabaseCounter)."""

    bucket = models.CharField(max_length=255, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits}"
