"""Text to stored vector, on the container's one embedder, and whether it is loaded yet.

The model takes seconds to load. A request must never wait for that (a prompt write would
stall), so the duplicate check runs only once the model is loaded (`embedder.loaded`: by
the background handler's first embedding, or by a warm-up this module starts).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from autoforge.evaluations.embeddings import TextEmbedder

_warming: weakref.WeakSet[TextEmbedder] = weakref.WeakSet()
_lock = threading.Lock()


def embed(embedder: TextEmbedder, texts: Sequence[str]) -> list[bytes]:
    """Unit-length float32 vectors as the bytes an F32_BLOB column stores."""
    return [row.astype("<f4").tobytes() for row in embedder.embed(texts)]


def is_ready(embedder: TextEmbedder) -> bool:
    # The model is loaded once per process, whichever container's embedder loaded it.
    return embedder.loaded


def warm_up(embedder: TextEmbedder) -> None:
    """Loads the model on a thread of its own, once; returns at once."""
    with _lock:
        started = embedder in _warming
        _warming.add(embedder)
    if not started and not embedder.loaded:
        threading.Thread(target=embedder.load, name="embedder-warm-up", daemon=True).start()
