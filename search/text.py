"""Text normalisation shared by the backends: folding, light stemming, snippets."""

import html
import itertools
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
    """A very light French plural stemmer (chevaux → cheval, marchés → marche). What it
    changes at a word's end, `_cores` leaves out."""
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


# A phrase (as `words` gives it) → the phrases that can stand for it.
SynonymTable = dict[tuple[str, ...], tuple[tuple[str, ...], ...]]


def synonym_table(rules: tuple[str, ...]) -> SynonymTable:
    """Each phrase of the rules (Solr format: "a, b, c" are equivalent, "a, b => c" puts
    c in the place of a or b), as `words` gives it → the phrases that can stand for it,
    itself first when it stays."""
    table: SynonymTable = {}
    for rule in rules:
        sides = [[tuple(words(phrase)) for phrase in side.split(",")]
                 for side in rule.split("=>", 1)]
        replaced, replacements = sides[0], sides[-1]
        for phrase in filter(None, replaced):
            kept = [phrase] if len(sides) == 1 else []
            table[phrase] = tuple(dict.fromkeys([*kept, *filter(None, replacements)]))
    return table


def synonym_variants(terms: list[str], table: SynonymTable, *, limit: int = 8) -> list[str]:
    """`terms` (from `words`) as typed first, then with synonyms in place of the phrases
    of `table` found in them (the longest from each position), at most `limit`."""
    longest = max(map(len, table), default=0)
    options: list[tuple[tuple[str, ...], ...]] = []
    position = 0
    while position < len(terms):
        for size in range(min(longest, len(terms) - position), 0, -1):
            phrase = tuple(terms[position:position + size])
            if phrase in table:
                options.append(table[phrase])
                position += size
                break
        else:
            options.append(((terms[position],),))
            position += 1
    variants = (" ".join(word for phrase in choice for word in phrase)
                for choice in itertools.product(*options))
    return list(dict.fromkeys(itertools.islice(variants, limit)))


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


# A word character neither ASCII nor a Latin letter that folds to one ASCII letter
# ("œ", "ß", another script): `_may_mark` leaves text with one to the word-by-word scan.
_ONE_LETTER_FOLDS = "".join(char for char in map(chr, range(0xC0, 0x250))
                            if len(fold(char)) == 1 and fold(char).isascii())
_UNFOLDED = re.compile(f"[^\\W\\x00-\\x7f{_ONE_LETTER_FOLDS}]")


@lru_cache(maxsize=256)
def _cores(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """What a word's folded form holds when its key (`stem(fold(word))`) starts with one
    of `prefixes`: `stem` turns "-aux" into "-al" ("cheval" marks "chevaux")."""
    return tuple(prefix[:-2] if prefix.endswith("al") else
                 prefix[:-1] if prefix.endswith("a") else prefix for prefix in prefixes)


def _may_mark(text: str, prefixes: tuple[str, ...]) -> bool:
    """False when no word of `text` can be marked, found in C rather than by folding
    every word (issue 4: most summaries of the benchmark's searches hold no word
    searched for, and the word-by-word scan takes 14 µs a summary). The accents go with
    NFKD; other characters outside ASCII go too, which can only join words."""
    if not prefixes:
        return False
    if _UNFOLDED.search(text):
        return True
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return any(core in folded for core in _cores(prefixes))


def highlight(text: str, terms: list[str], *, length: int = 220) -> str:
    """Escaped `text` around the first match, matching words wrapped in <mark>."""
    # Split on a captured group: the words are the odd items, what separates them the
    # even ones. One startswith over a tuple rather than a generator per word (issue 4:
    # the "basic" profile marks 20 summaries a search in Python).
    scanned = text[:HIGHLIGHT_SCAN]
    prefixes = tuple(term for term in terms if term)
    tokens = _TOKENS.split(scanned) if _may_mark(scanned, prefixes) else [scanned]
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
