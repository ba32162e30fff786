"""Text as the full-text index sees it, the same on SQLite (FTS5) and PostgreSQL (tsvector 'simple').

Words are folded (NFKC, lower case, accents removed: "Amende" and "amendé" are one word). Scripts written
without spaces (Han, kana, Hangul, Thai) are indexed as overlapping character pairs plus the run's last
character, so "罚款" is found inside "处以罚款" and a one-character query finds every occurrence as a
prefix. Both stores receive this pre-tokenised text; neither relies on its own word splitting for CJK.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Scripts without spaces between words: CJK ideographs, kana, Hangul, Thai, Lao, Khmer, Myanmar.
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(rf"[{_UNSPACED}]+|[^\W{_UNSPACED}_]+")
_UNSPACED_RUN = re.compile(rf"[{_UNSPACED}]+")
MAX_QUERY_TOKENS = 12


def fold(text: str) -> str:
    """Lower case, compatibility forms unified, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _run_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``: folded words, and character pairs for unspaced scripts."""
    found: list[str] = []
    for match in _TOKEN.finditer(fold(text)):
        word = match.group()
        found.extend(_run_tokens(word) if _UNSPACED_RUN.fullmatch(word) else [word])
    return found


def index_text(*parts: str) -> str:
    """The pre-tokenised text stored for an item: its tokens joined by spaces."""
    return " ".join(token for part in parts for token in tokens(part))


def query_terms(query: str) -> list[str]:
    """The terms of a search query; every term must occur (as a prefix) in a matching item.

    An unspaced run is searched as its pairs (its trailing single character is dropped unless the run is
    one character, which then matches as the prefix of a pair)."""
    terms: list[str] = []
    for match in _TOKEN.finditer(fold(query)):
        word = match.group()
        if _UNSPACED_RUN.fullmatch(word) and len(word) > 1:
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            terms.append(word)
    return list(dict.fromkeys(terms))[:MAX_QUERY_TOKENS]


def tag_token(kind: str, value: str) -> str:
    """The index token standing for one tag (kind and value), so that tag filters and text search are one
    full-text query: letters and digits only, the same for every spelling of nothing but this tag."""
    digest = hashlib.blake2b(f"{kind}\0{value}".encode(), digest_size=8).hexdigest()
    return f"t{digest}"
