"""Text to stored vector, on the container's one embedder, and whether it is loaded yet.

The model takes seconds to load. A request must never wait for that (a prompt write would
stall), so the duplicate check runs only once the model is loaded; the first embedding (by
the background handler, or a warm-up this module starts) marks it ready.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from autoforge.evaluations.embeddings import TextEmbedder

_ready: weakref.WeakKeyDictionary[TextEmbedder, threading.Event] = weakref.WeakKeyDictionary()
_warming: weakref.WeakSet[TextEmbedder] = weakref.WeakSet()
_lock = threading.Lock()


def _event(embedder: TextEmbedder) -> threading.Event:
    with _lock:
        event = _ready.get(embedder)
        if event is None:
            event = _ready[embedder] = threading.Event()
        return event


def embed(embedder: TextEmbedder, texts: Sequence[str]) -> list[bytes]:
    """Unit-length float32 vectors as the bytes an F32_BLOB column stores."""
    vectors = embedder.embed(texts)
    _event(embedder).set()
    return [row.astype("<f4").tobytes() for row in vectors]


def is_ready(embedder: TextEmbedder) -> bool:
    # The model is loaded once per process, whichever container's embedder loaded it.
    return embedder.loaded or _event(embedder).is_set()


def warm_up(embedder: TextEmbedder) -> None:
    """Loads the model on a thread of its own, once; returns at once."""

    def load() -> None:
        embedder.load()
        _event(embedder).set()

    event = _event(embedder)
    with _lock:
        started = embedder in _warming
        _warming.add(embedder)
    if not started and not event.is_set():
        threading.Thread(target=load, name="embedder-warm-up", daemon=True).start()
