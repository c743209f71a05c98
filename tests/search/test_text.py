"""The "basic" profile's snippets, marked in Python (search/text.py)."""

from search.text import clean_query, highlight, words


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


def test_highlight_starts_near_the_first_match():
    text = "mot " * 100 + "brocante"
    snippet = highlight(text, ["brocante"])
    assert snippet.startswith("… ") and snippet.endswith("<mark>brocante</mark>")


def test_clean_query_drops_control_characters_and_lone_surrogates():
    assert clean_query("vide\x00grenier \ud800 fête  🎉") == "vide grenier fête 🎉"
