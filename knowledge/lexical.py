"""The lexical side of hybrid search: BM25 (bm25s) over stemmed catalogue text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class LexicalIndex:
    """BM25 scores for every document, built in memory from the active catalogue."""

    def __init__(self, documents: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        self._bm25s: Any = bm25s
        self._stemmer = Stemmer.Stemmer("english")
        self.size = len(documents)
        self._retriever: Any = bm25s.BM25()
        if documents:
            tokens = bm25s.tokenize(list(documents), stopwords="en", stemmer=self._stemmer, show_progress=False)
            self._retriever.index(tokens, show_progress=False)
            self._vocab = set(self._retriever.vocab_dict)
        else:
            self._vocab = set()

    def terms(self, text: str) -> list[str]:
        """The stemmed, stop-worded terms of a text, as the index sees them."""
        tokenized = self._bm25s.tokenize([text], stopwords="en", stemmer=self._stemmer,
                                         return_ids=False, show_progress=False)
        return [str(term) for term in tokenized[0]]

    def scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every document for the query (zeros when no term is known)."""
        import numpy as np

        known = [term for term in self.terms(query) if term in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        result: NDArray[np.float32] = np.asarray(self._retriever.get_scores(known), dtype=np.float32)
        return result
