"""Similar prompts on a real database: each test runs on a local libSQL file and on sqld.

Embeddings come from the real MiniLM model where meaning matters; where only the index's
behaviour matters (over-fetch, the exact fallback), versions get chosen unit vectors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from numpy.typing import NDArray
from sqlalchemy import insert, select

from autoforge.bootstrap import Container, build_embedder
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations.embeddings import EmbeddingModelUnavailable
from autoforge.llm.litellm_client import LiteLLMEmbedder
from autoforge.prompts import service as prompts
from autoforge.prompts.bulk_import import import_prompts
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.models import PromptVersionRow
from autoforge.prompts.schemas import Prompt, PromptCreate
from autoforge.similarity import handler, service
from autoforge.similarity.models import EmbeddingVectorRow, PromptEmbeddingRow
from autoforge.similarity.repository import SimilarityRepository, Unembedded, digest
from tests.support.cli import Cli

T = TypeVar("T")
ALICE, BOB = "alice", "bob"
RNG = np.random.default_rng(7)


def write(container: Container, work: Callable[[UnitOfWork], T], owner: str = ALICE) -> T:
    with container.database.transaction(scope=Scope(owner, owner)) as uow:
        return work(uow)


def read(container: Container, work: Callable[[UnitOfWork], T], owner: str = ALICE) -> T:
    with container.database.transaction(read_only=True, scope=Scope(owner, owner)) as uow:
        return work(uow)


def create(container: Container, name: str, content: str, owner: str = ALICE) -> Prompt:
    data = PromptCreate(name=name, title=name, content=content)
    return write(container, lambda uow: prompts.create_prompt(uow, owner, data), owner)


def wait_embedded(container: Container, owner: str = ALICE, timeout_s: float = 180.0) -> None:
    """Until the background handler has embedded every prompt of `owner`."""
    deadline = time.monotonic() + timeout_s
    while read(container, lambda uow: SimilarityRepository(uow.session).pending(), owner):
        assert time.monotonic() < deadline, "prompts were not embedded in the background"
        time.sleep(0.1)


@pytest.fixture
def embedding(any_container: Container) -> Iterator[Container]:
    """The container with the similarity handler on its bus and the relay running."""
    handler.start(any_container)
    any_container.relay.start()
    yield any_container
    handler.stop(any_container)


def unit(vector: np.ndarray) -> bytes:
    return (vector / np.linalg.norm(vector)).astype("<f4").tobytes()


def store_vectors(container: Container, prompt_ids: list[str], vectors: list[bytes]) -> None:
    """Gives each prompt's version 1 the given vector (no model involved)."""

    def work(uow: UnitOfWork) -> None:
        rows = uow.session.execute(
            select(PromptVersionRow.id, PromptVersionRow.prompt_id).where(
                PromptVersionRow.prompt_id.in_(prompt_ids)
            )
        ).all()
        version_of = {prompt_id: version_id for version_id, prompt_id in rows}
        todo = [Unembedded(version_of[p], p, 1, "") for p in prompt_ids]
        SimilarityRepository(uow.session).store(todo, vectors, "test-vectors")

    container.database.run(work)


def test_versions_are_embedded_in_the_background_and_similar_ones_found(
    embedding: Container,
) -> None:
    french = create(embedding, "to-french", "Translate the following text into French: {text}")
    create(embedding, "to-french-2", "Translate this text to French: {text}")
    create(embedding, "summary", "Summarize the article in three sentences: {article}")
    create(embedding, "bob-french", "Translate this text to French: {text}", owner=BOB)
    wait_embedded(embedding)
    found = read(
        embedding,
        lambda uow: service.similar_prompts(
            uow, ALICE, embedding.embedder, french.id, k=5, threshold=0.7
        ),
    )
    # Bob's identical prompt is in another project; the summary is not similar enough.
    assert [p.name for p in found.items] == ["to-french-2"]
    assert found.items[0].similarity > 0.9
    assert found.pending == 0


def test_a_filter_still_returns_k_results_when_the_nearest_vectors_are_elsewhere(
    any_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vector_top_k cannot filter by project: 100 of Bob's prompts lie nearer the query than
    any of Alice's 3, so the first candidates hold none of hers; the search must fetch more."""
    query = RNG.normal(size=384)
    bobs = [create(any_container, f"b{i}", f"bob {i}", owner=BOB).id for i in range(100)]
    alices = [create(any_container, f"a{i}", f"alice {i}").id for i in range(3)]
    store_vectors(any_container, bobs, [unit(query + 0.2 * RNG.normal(size=384)) for _ in bobs])
    store_vectors(any_container, alices, [unit(query + 0.6 * RNG.normal(size=384)) for _ in alices])
    # Far vectors of no prompt, so that the index has more to give than the first asks.
    far = [unit(RNG.normal(size=384)) for _ in range(300)]
    any_container.database.run(
        lambda uow: uow.session.execute(
            insert(EmbeddingVectorRow),
            [{"digest": digest(v), "model": "test-vectors", "embedding": v} for v in far],
        )
    )

    def search(uow: UnitOfWork) -> service.Found:
        repo = SimilarityRepository(uow.session)
        return service.nearest(repo, unit(query), k=3, threshold=0.0, filters=ListFilters())

    # The index's 20 nearest candidates are all Bob's:
    top = read(
        any_container, lambda uow: SimilarityRepository(uow.session).candidates(unit(query), 20)
    )
    assert len(top) == 20
    # The index alone may not reach them (its search list is bounded, and approximate): the
    # answer holds all 3 of Alice's, from the grown ask or from the exact scan.
    found = read(any_container, search)
    assert sorted(m.prompt.id for m in found.matches) == sorted(alices)
    # With too few candidates allowed, a scan of the project's own vectors answers exactly.
    monkeypatch.setattr(service, "MAX_CANDIDATES", 40)
    exact = read(any_container, search)
    assert exact.method == "exact"
    assert [m.prompt.id for m in exact.matches] == [m.prompt.id for m in found.matches]
    assert read(any_container, search, owner=BOB).matches[0].prompt.id in bobs


def test_deleting_one_of_two_identical_prompts_keeps_the_other_findable(
    embedding: Container,
) -> None:
    """libsql#2197: deleting one of two rows with identical vectors dropped both from the
    index. Identical texts share one stored vector, which stays while either prompt does."""
    text = "Classify the sentiment of this review as positive or negative: {review}"
    first = create(embedding, "sentiment", text)
    twin = create(embedding, "sentiment-copy", text)
    create(embedding, "other", "Write a haiku about the sea")
    wait_embedded(embedding)
    assert read(embedding, lambda uow: SimilarityRepository(uow.session).vector_count()) == 2
    write(embedding, lambda uow: prompts.delete_prompt(uow, ALICE, twin.id, hard=True))
    embedding.relay.publish_pending()  # the garbage collector runs on the delete event

    query = read(
        embedding, lambda uow: SimilarityRepository(uow.session).version_vector(first.id, 1)
    )
    assert query is not None
    found = read(
        embedding,
        lambda uow: service.search(uow, query, k=5, threshold=0.9, filters=ListFilters()),
    )
    assert [p.name for p in found.items] == ["sentiment"]
    candidates = read(embedding, lambda uow: SimilarityRepository(uow.session).candidates(query, 5))
    assert candidates[0][1] < 1e-4  # the index itself still holds the vector
    # Deleting the last prompt with the vector removes the vector.
    write(embedding, lambda uow: prompts.delete_prompt(uow, ALICE, first.id, hard=True))
    embedding.relay.publish_pending()
    assert read(embedding, lambda uow: SimilarityRepository(uow.session).vector_count()) == 1


def test_duplicate_clusters_group_near_identical_prompts(embedding: Container) -> None:
    create(embedding, "greet", "Greet the customer {name} politely and offer help.")
    create(embedding, "greet-2", "Greet the customer {name} politely and offer your help.")
    create(embedding, "poem", "Write a limerick about a cat who loves lasagna.")
    wait_embedded(embedding)
    clusters = read(embedding, lambda uow: service.duplicate_clusters(uow, 0.95))
    assert [[p.name for p in c.prompts] for c in clusters] == [["greet", "greet-2"]]
    assert all(p.similarity > 0.95 for p in clusters[0].prompts)


def test_cli_similar_search_and_duplicates(tmp_path: Path) -> None:
    """The CLI runs no background handler: its commands embed what is missing first."""
    cli = Cli(tmp_path / "data")
    greet = "Greet the customer {name} politely and offer help."
    cli.ok("prompt", "create", "greet", "--content", greet)
    cli.ok("prompt", "create", "greet-2", "--content", greet.replace("help", "your help"))
    cli.ok("prompt", "create", "poem", "--content", "Write a limerick about a cat.")

    clusters = cli.json("prompt", "duplicates", "--json")
    assert [[p["name"] for p in c["prompts"]] for c in clusters] == [["greet", "greet-2"]]
    similar = cli.json("prompt", "similar", "greet", "--json")
    assert [p["name"] for p in similar["items"]] == ["greet-2"]
    found = cli.json("prompt", "search", "a poem about a cat", "--json", "-k", "1")
    assert [p["name"] for p in found["items"]] == ["poem"]
    assert "cluster 1" in cli.ok("prompt", "duplicates").stdout
    assert "no near-duplicates" in cli.ok("prompt", "duplicates", "--threshold", "0.999").stdout


def test_a_providers_embeddings_are_used_and_a_model_change_embeds_again(
    file_container: Container,
) -> None:
    """EMBEDDING_MODEL through LiteLLM (its `mock_response` stands in for the provider: it
    answers one fixed vector per request, so one text per request here), then back to the
    bundled MiniLM: every version is embedded again by the model now configured."""
    model = "openai/text-embedding-3-small"
    settings = file_container.settings.model_copy(
        update={
            "embedding_model": model,
            "llm_model_options": {model: {"mock_response": [0.25] * 384, "api_key": "sk-t"}},
        }
    )
    built = build_embedder(settings)
    assert isinstance(built, LiteLLMEmbedder)
    assert built.name == model
    provider = LiteLLMEmbedder(
        model, {"mock_response": [0.25] * 384, "api_key": "sk-t"}, batch_size=1
    )
    for i in range(3):
        create(file_container, f"p{i}", f"prompt number {i}")

    assert service.embed_missing(file_container.database, provider) == 3

    def models(uow: UnitOfWork) -> list[str]:
        return list(
            uow.session.scalars(
                select(EmbeddingVectorRow.model)
                .join(PromptEmbeddingRow, PromptEmbeddingRow.vector_id == EmbeddingVectorRow.id)
                .order_by(PromptEmbeddingRow.prompt_id)
            )
        )

    assert read(file_container, models) == [model] * 3
    assert service.embed_missing(file_container.database, provider) == 0  # nothing left to do

    # Back to the bundled model: the provider's vectors no longer count as embeddings.
    assert service.embed_missing(file_container.database, file_container.embedder) == 3
    assert read(file_container, models) == [file_container.embedder.name] * 3
    assert service.collect_garbage(file_container.database) >= 1  # the provider's vector


def test_a_provider_answering_the_wrong_width_is_refused_by_name() -> None:
    wide = LiteLLMEmbedder("openai/x", {"mock_response": [0.1] * 1536, "api_key": "sk-t"})
    with pytest.raises(EmbeddingModelUnavailable, match="1536-float vectors"):
        wide.embed(["a text"])


class _StopsAfterFirstBatch:
    """The bundled embedder, but asking the pass to stop once it has embedded one batch."""

    def __init__(self, inner: Container, stop: threading.Event) -> None:
        self.inner, self.stop, self.name = inner.embedder, stop, inner.embedder.name
        self.batches = 0

    @property
    def loaded(self) -> bool:
        return bool(self.inner.loaded)

    def load(self) -> None:
        self.inner.load()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.batches += 1
        self.stop.set()
        return self.inner.embed(texts)


def test_a_stop_ends_a_large_backlog_between_batches_and_a_restart_catches_up(
    file_container: Container,
) -> None:
    """A 10,000-prompt import once held `serve`'s shutdown for minutes while every version
    was embedded: a stop now ends the pass after its batch, and the next start embeds the
    rest without any new event."""
    count = service.EMBED_BATCH + 6
    write(
        file_container,
        lambda uow: import_prompts(
            uow,
            ALICE,
            [
                {"name": f"b{i}", "title": f"B{i}", "content": f"backlog prompt {i}"}
                for i in range(count)
            ],
        ),
    )
    stop = threading.Event()
    stopping = _StopsAfterFirstBatch(file_container, stop)

    done = service.embed_missing(file_container.database, stopping, stop=stop)

    assert (done, stopping.batches) == (service.EMBED_BATCH, 1)
    pending = read(file_container, lambda uow: SimilarityRepository(uow.session).pending())
    assert pending == 6
    handler.start(file_container)  # what the next `serve` does: no event needed
    try:
        wait_embedded(file_container)
    finally:
        handler.stop(file_container)
