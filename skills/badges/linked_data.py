"""JSON-LD processing with pyld over the shipped contexts: RDFC-1.0 canonical N-Quads and undefined terms."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from pyld import jsonld

from skills.badges.contexts import UnknownContext, document_loader
from skills.badges.result import CheckFailed

_OPTIONS: dict[str, Any] = {"documentLoader": document_loader}


def _run(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, UnknownContext):
                raise CheckFailed("context", str(cause)) from None
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise CheckFailed("context", f"the JSON-LD is not valid ({exc.type})") from None


def canonical_hash(document: dict[str, Any]) -> bytes:
    """SHA-256 of the document's RDFC-1.0 (URDNA2015) canonical N-Quads (memoised on the JSON text)."""
    return _canonical_hash(json.dumps(document, sort_keys=True))


@lru_cache(maxsize=256)
def _canonical_hash(text: str) -> bytes:
    options = {**_OPTIONS, "algorithm": "URDNA2015", "format": "application/n-quads"}
    nquads = cast(str, _run(jsonld.normalize, json.loads(text), options))
    return hashlib.sha256(nquads.encode()).digest()


def clear_memo() -> None:
    """Forget memoised canonical hashes (benchmarks measure the real work)."""
    _canonical_hash.cache_clear()


_PROBE = "urn:badger:undefined#"


def _probe_hits(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith(_PROBE):
                yield key.removeprefix(_PROBE)
            yield from _probe_hits(item)
    elif isinstance(value, list):
        for item in value:
            yield from _probe_hits(item)


def undefined_terms(document: dict[str, Any]) -> list[str]:
    """Terms that no context defines (pyld would silently drop them, so a signature would not cover them)."""
    # Expand once more with a catch-all @vocab appended: only undefined terms land in it.
    ctx = document.get("@context", [])
    probe = {**document, "@context": [*(ctx if isinstance(ctx, list) else [ctx]), {"@vocab": _PROBE}]}
    return sorted(set(_probe_hits(_run(jsonld.expand, probe, dict(_OPTIONS)))))
