"""The database backend's own index table."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """One search document in the database backend (the embedded default)."""

    page_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)
    live = models.BooleanField(default=True)
    locale = models.CharField(max_length=8, db_index=True)
    kind = models.CharField(max_length=12)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # Accent-folded, lower-cased, lightly stemmed words with a leading and trailing
    # space, so " word" is a word-prefix match on SQLite.
    folded = models.TextField(blank=True)
    folded_title = models.TextField(blank=True)
    commune_insee = models.CharField(max_length=5, db_index=True)
    commune_name = models.CharField(max_length=255, blank=True)
    epci = models.CharField(max_length=9, blank=True)
    department = models.CharField(max_length=3, blank=True)
    # " slug1 slug2 " / " 44052 44103 ": containment tests on both databases.
    categories = models.TextField(blank=True)
    shared_with = models.TextField(blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    date = models.DateTimeField(null=True)
    start = models.DateTimeField(null=True)
    end = models.DateTimeField(null=True)
    url = models.CharField(max_length=500, blank=True)
    provenance = models.CharField(max_length=8, default="local")
    origin_commune = models.CharField(max_length=255, blank=True)
    origin_server = models.CharField(max_length=255, blank=True)
    origin_url = models.CharField(max_length=500, blank=True)
    # PostgreSQL only (a GIN index is added by migration 0002 there); NULL on SQLite.
    search_vector = SearchVectorField(null=True)

    class Meta:
        indexes = [models.Index(fields=["locale", "live", "commune_insee"],
                                name="search_entry_scope")]

    def __str__(self) -> str:
        return f"{self.kind} {self.page_id}: {self.title}"
