"""Text normalisation shared by the backends: folding, light stemming, snippets."""

import html
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+")
_TAG = re.compile(r"<[^>]*>")
_TOKENS = re.compile(r"(\w+)")
HIGHLIGHT_SCAN = 3000  # characters of a long body looked at for a snippet
# Control characters, and lone surrogates (no UTF-8 for them: the JSON encoder refuses).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# French stop words (folded) dropped from database-backend queries.
FRENCH_STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "est",
        "sont",
    ]
)


def fold(text: str) -> str:
    """Lower-case, strip accents, keep letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return _NON_WORD.sub(" ", plain).strip()


def stem(word: str) -> str:
    """A very light French plural stemmer (chevaux → cheval, marchés → marche)."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def words(text: str, *, drop_stop_words: bool = False) -> list[str]:
    found = [stem(word) for word in fold(text).split()]
    if drop_stop_words:
        found = [word for word in found if word not in FRENCH_STOP_WORDS]
    return found


def folded_text(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def strip_html(value: str) -> str:
    return html.unescape(_TAG.sub(" ", value or "")).strip()


def clean_query(text: str) -> str:
    """Remove control characters and lone surrogates, collapse whitespace (any script
    stays)."""
    return " ".join(_CONTROL.sub(" ", text).split())


@lru_cache(maxsize=8192)
def _word_key(token: str) -> str:
    # Folding a word is most of the "basic" profile's Python time per search (issue 4:
    # 20 summaries a query, each word once per query term); the words repeat.
    return stem(fold(token))


def highlight(text: str, terms: list[str], *, length: int = 220) -> str:
    """Escaped `text` around the first match, matching words wrapped in <mark>."""
    # Split on a captured group: the words are the odd items, what separates them the
    # even ones. One startswith over a tuple rather than a generator per word (issue 4:
    # the "basic" profile marks 20 summaries a search in Python).
    tokens = _TOKENS.split(text[:HIGHLIGHT_SCAN])
    prefixes = tuple(term for term in terms if term)
    first = None
    for index in range(1, len(tokens), 2):
        if _word_key(tokens[index]).startswith(prefixes):
            if first is None:
                first = sum(map(len, tokens[:index]))
            tokens[index] = f"\x01{tokens[index]}\x02"
    joined = "".join(tokens)
    start = max(0, (first or 0) - 60)
    excerpt = joined[start : start + length]
    escaped = html.escape(excerpt)
    escaped = escaped.replace("\x01", "<mark>").replace("\x02", "</mark>")
    if escaped.count("<mark>") > escaped.count("</mark>"):
        escaped += "</mark>"
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + length < len(joined) else ""
    return prefix + escaped + suffix
