"""The lexical side of hybrid search: BM25 (bm25s) over stemmed catalogue text."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern


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
        if documents:
            stemmer, _ = _analyzer()
            tokens = bm25s.tokenize(list(documents), stopwords="en", stemmer=stemmer, show_progress=False)
            self._retriever.index(tokens, show_progress=False)
            self._vocab = set(self._retriever.vocab_dict)

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
