"""Similar prompts: embedding versions, nearest neighbours with over-fetch, duplicates."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.errors import NotFoundError
from autoforge.evaluations.embeddings import TextEmbedder
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.repository import PromptRepository
from autoforge.similarity import vectors
from autoforge.similarity.repository import Match, SimilarityRepository
from autoforge.similarity.schemas import DuplicateCluster, SimilarPrompt, SimilarPrompts

DEFAULT_THRESHOLD = 0.7  # the seed's threshold for "similar"
SEARCH_THRESHOLD = 0.3  # a short query is far less similar to a whole prompt than prompts are
DUPLICATE_THRESHOLD = 0.95
MAX_K = 50
# vector_top_k cannot filter: ask it for several times k, grow the ask while the nearest
# candidates hold too few of the caller's prompts; when that cannot give k, scan the caller's
# project exactly. libSQL's search list stops at about 200 rows,
# whatever k is asked for (measured: asking 320 or 1000 among 2000 vectors gave 201).
OVERFETCH = 5
MAX_CANDIDATES = 200
EMBED_BATCH = 64


@dataclass(frozen=True)
class Found:
    matches: list[Match]
    method: str


def embed_missing(
    database: Database,
    embedder: TextEmbedder,
    prompt_id: str | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Embeds every version that has no embedding yet (of one prompt, or of all); returns how
    many. The model runs between two short transactions, never inside one. `stop` ends it
    between two batches: a large import's backlog must not hold a shutdown for minutes."""
    done = 0
    while stop is None or not stop.is_set():
        with database.transaction(read_only=True) as uow:
            todo = SimilarityRepository(uow.session).unembedded(
                prompt_id, EMBED_BATCH, embedder.name
            )
        if not todo:
            return done
        embedded = vectors.embed(embedder, [u.content for u in todo])
        with database.transaction() as uow:
            SimilarityRepository(uow.session).store(todo, embedded, embedder.name)
        done += len(todo)
    return done


def collect_garbage(database: Database) -> int:
    with database.transaction() as uow:
        return SimilarityRepository(uow.session).collect_garbage()


def nearest(
    repo: SimilarityRepository,
    query: bytes,
    *,
    k: int,
    threshold: float,
    filters: ListFilters,
    exclude: str | None = None,
) -> Found:
    """The caller's k prompts nearest to `query` at or above `threshold`, best first."""
    max_distance = 1.0 - threshold
    ask = min(max(k * OVERFETCH, 20), MAX_CANDIDATES)
    while True:
        rows = repo.candidates(query, ask)
        distance = {i: d for i, d in rows if d <= max_distance}
        found = repo.prompts_with(list(distance), filters, exclude) if distance else []
        matches = sorted(
            (Match(row, distance[vector_id]) for row, vector_id in found),
            key=lambda m: (m.distance, m.prompt.id),
        )
        if len(matches) >= k:
            return Found(matches[:k], "index")
        # Fewer than k: either fewer exist, or the index (approximate, its search list
        # bounded) missed some. Only a scan can tell, so it answers once asking more cannot
        # help: the candidates reach past the threshold, or the index gave all it could.
        if len(distance) < len(rows) or len(rows) < ask or ask >= MAX_CANDIDATES:
            break
        ask = min(ask * 4, MAX_CANDIDATES)
    return Found(repo.exact(query, k, max_distance, filters, exclude), "exact")


def _item(match: Match) -> SimilarPrompt:
    row = match.prompt
    return SimilarPrompt(
        id=row.id,
        name=row.name,
        title=row.title,
        version=row.version,
        status=row.status,
        similarity=round(max(0.0, 1.0 - match.distance), 4),
    )


def _page(repo: SimilarityRepository, found: Found, k: int, threshold: float) -> SimilarPrompts:
    return SimilarPrompts(
        items=[_item(m) for m in found.matches],
        k=k,
        threshold=threshold,
        method="exact" if found.method == "exact" else "index",
        pending=repo.pending(),
    )


def similar_prompts(
    uow: UnitOfWork,
    owner: str,
    embedder: TextEmbedder,
    prompt_id: str,
    *,
    k: int,
    threshold: float,
) -> SimilarPrompts:
    """Prompts of the caller's project similar to this one's current version."""
    view = PromptRepository(uow.session, owner).view(prompt_id)
    if view is None:
        raise NotFoundError(f"prompt {prompt_id} not found")
    repo = SimilarityRepository(uow.session)
    source = view.row
    query = repo.version_vector(source.id, source.version)
    if query is None:  # not embedded yet: the request pays for this one text
        query = vectors.embed(embedder, [source.content])[0]
    found = nearest(repo, query, k=k, threshold=threshold, filters=ListFilters(), exclude=source.id)
    return _page(repo, found, k, threshold)


def search(
    uow: UnitOfWork, query: bytes, *, k: int, threshold: float, filters: ListFilters
) -> SimilarPrompts:
    """Prompts nearest in meaning to an embedded free-text query, within the list filters."""
    repo = SimilarityRepository(uow.session)
    found = nearest(repo, query, k=k, threshold=threshold, filters=filters)
    return _page(repo, found, k, threshold)


def duplicates_of(uow: UnitOfWork, query: bytes, prompt_id: str) -> list[SimilarPrompt]:
    """The caller's other prompts over the duplicate threshold to `query`."""
    repo = SimilarityRepository(uow.session)
    found = nearest(
        repo, query, k=3, threshold=DUPLICATE_THRESHOLD, filters=ListFilters(), exclude=prompt_id
    )
    return [_item(m) for m in found.matches]


def duplicate_clusters(uow: UnitOfWork, threshold: float) -> list[DuplicateCluster]:
    """Groups of the caller's prompts linked by similarity over `threshold` (transitively)."""
    repo = SimilarityRepository(uow.session)
    parent: dict[str, str] = {}
    best: dict[str, Match] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for row, vector in repo.current_vectors():
        found = nearest(
            repo, vector, k=10, threshold=threshold, filters=ListFilters(), exclude=row.id
        )
        for match in found.matches:
            parent[root(match.prompt.id)] = root(row.id)
            for member, distance in ((row, match.distance), (match.prompt, match.distance)):
                if member.id not in best or distance < best[member.id].distance:
                    best[member.id] = Match(member, distance)
    groups: dict[str, list[Match]] = {}
    for prompt_id, match in best.items():
        groups.setdefault(root(prompt_id), []).append(match)
    clusters = [sorted(g, key=lambda m: m.prompt.name) for g in groups.values()]
    clusters.sort(key=lambda g: g[0].prompt.name)
    return [DuplicateCluster(prompts=[_item(m) for m in g]) for g in clusters]
