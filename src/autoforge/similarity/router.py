"""`/api/v1/prompts/{id}/similar`, `/api/v1/prompts:search`, and the duplicate warning that
prompt writes carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeGuard

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from autoforge.api.deps import ContainerDep, Principal, ReadUoW
from autoforge.api.responses import problems
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ValidationFailed
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.schemas import MAX_CONTENT, Status
from autoforge.similarity import service, vectors
from autoforge.similarity.schemas import SimilarPrompts

# Versions are embedded in the background by `handler`, started with the rest of the
# process's background work (worker/background.py).
router = APIRouter(prefix="/api/v1", tags=["similar prompts"])

K = Annotated[int, Query(ge=1, le=service.MAX_K, description="how many prompts at most")]


Threshold = Annotated[
    float, Query(ge=0.0, le=1.0, description="the least cosine similarity (0..1)")
]


def embed_query(
    container: ContainerDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="free text")],
) -> bytes:
    """Embeds the query before the read transaction opens (a dependency declared first)."""
    if not _embeddable(q):
        raise ValidationFailed(
            "q must be text with something in it",
            errors=[{"field": "q", "message": "blank or not valid text"}],
        )
    return vectors.embed(container.embedder, [q])[0]


@router.get(
    "/prompts/{prompt_id}/similar", response_model=SimilarPrompts, responses=problems(404, 422, 503)
)
def similar_prompts(
    *,
    prompt_id: Annotated[str, Path(max_length=64)],
    container: ContainerDep,
    uow: ReadUoW,
    owner: Principal,
    k: K = 10,
    threshold: Threshold = service.DEFAULT_THRESHOLD,
) -> SimilarPrompts:
    """Your prompts most similar in meaning to this one (their current versions, by cosine
    similarity of sentence embeddings), best first."""
    return service.similar_prompts(
        uow, owner, container.embedder, prompt_id, k=k, threshold=threshold
    )


@router.get("/prompts:search", response_model=SimilarPrompts, responses=problems(422, 503))
def search_prompts(
    *,
    query: Annotated[bytes, Depends(embed_query)],
    uow: ReadUoW,
    k: K = 10,
    threshold: Threshold = service.SEARCH_THRESHOLD,
    text: Annotated[
        str | None, Query(max_length=200, description="and containing this text")
    ] = None,
    status: Annotated[Status | None, Query(description="only prompts in this status")] = None,
    tag: Annotated[str | None, Query(max_length=50, description="only with this tag")] = None,
) -> SimilarPrompts:
    """Semantic search: your prompts nearest in meaning to `q`, optionally only those that
    also contain `text` (the list's substring filter), in `status` or with `tag`."""
    filters = ListFilters(
        status=status, tag=tag.strip().lower() if tag else None, text=text or None
    )
    return service.search(uow, query, k=k, threshold=threshold, filters=filters)


@dataclass(frozen=True)
class DuplicateProbe:
    """The embedding of a write's new content, taken before its transaction opens."""

    vector: bytes | None
    skipped: bool = False

    def warn(self, response: Response, uow: UnitOfWork, prompt_id: str) -> None:
        """Adds a `Warning` header naming prompts over the duplicate threshold."""
        if self.skipped:
            response.headers["Warning"] = (
                '299 autoforge "duplicate check skipped: the embedding model is loading"'
            )
        if self.vector is None:
            return
        found = service.duplicates_of(uow, self.vector, prompt_id)
        if found:
            names = ", ".join(f"'{p.name}' ({p.similarity:.2f})" for p in found)
            response.headers["Warning"] = f'299 autoforge "near-duplicate of {names}"'


def _embeddable(content: object) -> TypeGuard[str]:
    if not isinstance(content, str) or not content.strip() or len(content) > MAX_CONTENT:
        return False
    try:
        content.encode("utf-8")  # a lone surrogate is refused later, as a 422
    except UnicodeEncodeError:
        return False
    return True


async def probe_duplicates(request: Request, container: ContainerDep) -> DuplicateProbe:
    """Declare before the write transaction: embedding never holds the write lock, and a
    request never waits for the model to load (it is warmed up for the next write)."""
    try:
        body = await request.json()
    except ValueError:
        return DuplicateProbe(None)
    content = body.get("content") if isinstance(body, dict) else None
    if not _embeddable(content):
        return DuplicateProbe(None)  # the body's validation answers for it
    if not vectors.is_ready(container.embedder):
        vectors.warm_up(container.embedder)
        return DuplicateProbe(None, skipped=True)
    embedded = await run_in_threadpool(vectors.embed, container.embedder, [content])
    return DuplicateProbe(embedded[0])


DuplicateCheck = Annotated[DuplicateProbe, Depends(probe_duplicates)]
