"""Typed-answer helpers: normalisation and Levenshtein distance with a cutoff."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
    }
)
_SPACE = re.compile(r"\s+")
# ASCII needs no Unicode normalisation: the same rules as below, as one table.
_ASCII = str.maketrans(
    {
        chr(i): (" " if unicodedata.category(chr(i)) == "Pd" else None)
        for i in range(128)
        if unicodedata.category(chr(i)).startswith("P")
    }
)


def normalize(text: str) -> str:
    """Return the comparison form of a typed answer.

    Steps: drop format characters (zero-width spaces and joiners, U+2060, BOM, soft
    hyphen), NFKC, casefold (ß becomes ss), fold diacritics (NFKD without combining
    marks), turn dashes into spaces, drop other punctuation, collapse whitespace.
    """
    if text.isascii():
        # Fast path: content loading normalises every choice text for duplicates.
        return _SPACE.sub(" ", text.lower().translate(_ASCII)).strip()
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    text = text.translate(_FOLD)
    out: list[str] = []
    for c in text:
        cat = unicodedata.category(c)
        if cat == "Pd":
            out.append(" ")
        elif not cat.startswith("P"):
            out.append(c)
    return _SPACE.sub(" ", "".join(out)).strip()


def letter_count(text: str) -> int:
    """Return how many letters `text` holds (for the five-letter typo rule)."""
    return sum(1 for c in text if c.isalpha())


def levenshtein(a: str, b: str, cutoff: int) -> int:
    """Return the edit distance of a and b, or cutoff + 1 if it exceeds cutoff.

    Only a band of width 2*cutoff+1 is computed, so long inputs stay cheap.
    """
    if cutoff < 0:
        return 0 if a == b else 1
    if abs(len(a) - len(b)) > cutoff:
        return cutoff + 1
    if a == b:
        return 0
    over = cutoff + 1
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        lo = max(1, i - cutoff)
        hi = min(len(b), i + cutoff)
        cur = [over] * (len(b) + 1)
        cur[0] = i if i <= cutoff else over
        best = cur[0]
        for j in range(lo, hi + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost, over)
            cur[j] = v
            best = min(best, v)
        if best >= over:
            return over
        prev = cur
    return min(prev[len(b)], over)


def matches(given: str, accepted: str, typos: int) -> bool:
    """Return True if normalised `given` equals `accepted`, within `typos` edits.

    Typos are allowed only when the accepted answer has five letters or more.
    """
    g, a = normalize(given), normalize(accepted)
    if not g:
        return False
    if g == a:
        return True
    if typos <= 0 or letter_count(a) < 5:
        return False
    return levenshtein(g, a, typos) <= typos
