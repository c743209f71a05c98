"""Apply search/analysis/synonyms_fr.txt to the configured backend without reindexing."""

from django.core.management.base import BaseCommand

from search.backends import get_search_backend
from search.synonyms import synonym_rules


class Command(BaseCommand):
    help = "Reload the search-time synonyms (no reindexing)."

    def handle(self, **options) -> None:
        rules = synonym_rules()
        get_search_backend().synonyms_update(rules=rules)
        self.stdout.write(f"{len(rules)} synonym rules applied")
