"""The "basic" profile's snippets and synonyms, in Python (search/text.py)."""

import random

import pytest

from search import text as text_module
from search.text import clean_query, highlight, synonym_table, synonym_variants, words


def test_highlight_marks_folded_and_plural_matches_and_escapes():
    text = "Les MARCHÉS de <Noël> & les chevaux du marché"
    terms = words("marche cheval", drop_stop_words=True)
    expected = ("Les <mark>MARCHÉS</mark> de &lt;Noël&gt; &amp; les <mark>chevaux</mark> du "
                "<mark>marché</mark>")
    assert highlight(text, terms) == expected
    # The per-word cache gives the same answer the second time.
    assert highlight(text, terms) == expected
    assert highlight(text, words("noel")) == ("Les MARCHÉS de &lt;<mark>Noël</mark>&gt; "
                                              "&amp; les chevaux du marché")


def test_highlight_without_terms_marks_nothing():
    # Stop words only: `words(..., drop_stop_words=True)` leaves no term, or empty ones.
    for terms in ([], [""]):
        assert highlight("Fête de la musique", terms) == "Fête de la musique"


def test_highlight_skips_only_texts_without_a_word_to_mark(monkeypatch):
    # The cheap check before the word-by-word scan (`_may_mark`) never changes a snippet:
    # plural stems ("chevaux" → "cheval"), accents, ligatures, decomposed accents, other
    # scripts, underscores, punctuation outside ASCII.
    pieces = ["cheval", "Chevaux", "MARCHÉS", "marché", "Œuvres", "ﬁlm", "Ærø", "naïve",
              "déchèterie", "dechetterie", "_vide", "vide_grenier", "vide-grenier",
              "2024", "Ελλάδα", "straße", "Ĳssel", "brocantes", "l’école", "«ÉCOLES»",
              "noël", "a", "e\u0301cole", "İle", "travaux", "trava", "local", "\xa0", "…"]
    rng = random.Random(7)
    texts = ["".join(rng.choice([" ", "", "-"]) + piece
                     for piece in rng.choices(pieces, k=rng.randint(1, 12)))
             for _ in range(500)]
    queries = ["cheval", "marches", "oeuvre", "film", "aero", "naive", "decheterie",
               "vide grenier", "2024", "ελλαδα", "strasse", "ijssel", "ecole", "noel", "a",
               "ile", "travail", "local"]
    terms_list = [words(query, drop_stop_words=True) for query in queries]
    quick = [highlight(text, terms) for text in texts for terms in terms_list]
    monkeypatch.setattr(text_module, "_may_mark", lambda _text, _prefixes: True)
    assert quick == [highlight(text, terms) for text in texts for terms in terms_list]
    assert sum("<mark>" in snippet for snippet in quick) > len(quick) // 10


@pytest.mark.parametrize(("text", "terms", "expected"), [
    ("Les chevaux", ["cheval"], True), ("Marchés de Noël", ["noel"], True),
    ("Fête de la musique", ["brocante"], False), ("Fête de la musique", [], False),
    ("Œuvres", ["brocante"], True),  # "œ" folds to two letters: scanned word by word
    ("Ελλάδα", ["brocante"], True)])
def test_may_mark(text, terms, expected):
    assert text_module._may_mark(text, tuple(terms)) is expected


def test_highlight_starts_near_the_first_match():
    text = "mot " * 100 + "brocante"
    snippet = highlight(text, ["brocante"])
    assert snippet.startswith("… ") and snippet.endswith("<mark>brocante</mark>")


def test_clean_query_drops_control_characters_and_lone_surrogates():
    assert clean_query("vide\x00grenier \ud800 fête  🎉") == "vide grenier fête 🎉"


def test_synonym_variants_put_each_synonym_in_place_of_the_phrase():
    table = synonym_table(("vide grenier, brocante, vide greniers", "foot, football",
                           "centre de tri, dechetterie", "velo => bicyclette"))
    # Folded and stemmed as the indexed words; the longest phrase from each position.
    assert synonym_variants(words("Vide-greniers à Donges"), table) == [
        "vide grenier a donge", "brocante a donge"]
    assert synonym_variants(words("horaires centre de tri"), table) == [
        "horaire centre de tri", "horaire dechetterie"]
    # Every combination, the words as typed first, at most `limit`.
    assert synonym_variants(words("brocante foot"), table) == [
        "brocante foot", "brocante football", "vide grenier foot", "vide grenier football"]
    assert len(synonym_variants(words("brocante foot"), table, limit=3)) == 3
    # "a => b" replaces a; b alone is left as it is.
    assert synonym_variants(["velo"], table) == ["bicyclette"]
    assert synonym_variants(["bicyclette"], table) == ["bicyclette"]
    assert synonym_variants(["marche"], table) == ["marche"]
