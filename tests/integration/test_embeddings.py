"""The real all-MiniLM-L6-v2 from the installed wheel, loaded offline, and the similarity check."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from autoforge.evaluations import embeddings
from autoforge.evaluations.assertions import CaseOutcome, ScoringTools, SimilarityAssertion, cosine
from autoforge.evaluations.embeddings import DIMENSION, SentenceEmbedder, bundled_model_path


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    model = SentenceEmbedder()
    model.load()
    return model


def test_the_weights_come_from_the_installed_package() -> None:
    path = bundled_model_path()
    assert path.name == "model"
    assert (path / "model.safetensors").stat().st_size > 80_000_000


def test_embeddings_are_unit_vectors_of_384_floats(embedder: SentenceEmbedder) -> None:
    vectors = embedder.embed(["A cat sits on the mat.", "Stock markets fell today."])
    assert DIMENSION == 384
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: SentenceEmbedder) -> None:
    cat, kitten, market, rain = embedder.embed(
        [
            "A cat sits on the mat.",
            "A kitten is sitting on a rug.",
            "Stock markets fell sharply today.",
            "It will rain in Lisbon tomorrow.",
        ]
    )
    paraphrase = cosine(cat, kitten)
    assert paraphrase > 0.5
    assert paraphrase > cosine(cat, market) + 0.3
    assert paraphrase > cosine(cat, rain) + 0.3


def test_embedding_is_deterministic_and_order_independent(embedder: SentenceEmbedder) -> None:
    one = embedder.embed(["The movie was wonderful."])[0]
    batch = embedder.embed(["Something else entirely.", "The movie was wonderful."])[1]
    assert np.allclose(one, batch, atol=1e-5)


def test_similarity_assertion_on_the_real_model(embedder: SentenceEmbedder) -> None:
    tools = ScoringTools(embedder=embedder)
    spec = SimilarityAssertion(threshold=0.6)
    close = spec.score(
        CaseOutcome("The film was great, I loved it.", "I really enjoyed this movie."), tools
    )
    far = spec.score(CaseOutcome("Ana lives in Lisbon.", "I really enjoyed this movie."), tools)
    assert close.passed
    assert close.reason.startswith("cosine ")
    assert ">= 0.60" in close.reason
    assert not far.passed
    assert far.value < close.value
    same = spec.score(CaseOutcome("positive", "positive"), tools)
    assert same.value == pytest.approx(1.0, abs=1e-5)


def test_threads_share_one_model_safely(embedder: SentenceEmbedder) -> None:
    sentences = [f"Review number {i}: the product works well." for i in range(8)]
    expected = embedder.embed(sentences)
    results: dict[int, np.ndarray] = {}

    def work(index: int) -> None:
        results[index] = embedder.embed([sentences[index]])[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sentences))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, vector in results.items():
        assert np.allclose(vector, expected[index], atol=1e-5)
    assert len(results) == len(sentences)


def test_first_use_loads_lazily_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[Path] = []

    def counted_path() -> Path:
        loads.append(bundled_model_path())
        return loads[-1]

    monkeypatch.setattr(embeddings, "bundled_model_path", counted_path)
    monkeypatch.setattr(embeddings, "_MODELS", {})  # as in a process that loaded none yet
    fresh = SentenceEmbedder()
    assert loads == []  # constructing loads nothing
    barrier = threading.Barrier(4)
    shapes: list[tuple[int, ...]] = []

    def work() -> None:
        barrier.wait()
        shapes.append(fresh.embed(["hello"]).shape)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shapes == [(1, 384)] * 4
    assert len(loads) == 1
    # Another embedder (another container) in the same process uses the loaded model.
    other = SentenceEmbedder()
    assert other.loaded
    assert other.embed(["hello"]).shape == (1, 384)
    assert len(loads) == 1
