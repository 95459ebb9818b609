"""The schema: queries over the caller's project, and the prompt mutations, each a thin call
of the same service function its REST endpoint calls."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Iterable
from typing import Any

import anyio.to_thread
import strawberry
from graphql import GraphQLError
from pydantic import ValidationError
from strawberry.scalars import JSON
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from autoforge.datasets import service as datasets
from autoforge.evaluations import service as evaluations
from autoforge.graphql import limits
from autoforge.graphql.context import Info
from autoforge.graphql.errors import as_validation_failed, is_expected
from autoforge.graphql.transaction import RequestTransaction
from autoforge.graphql.types import (
    Dataset,
    DatasetPage,
    Evaluation,
    EvaluationPage,
    LabelSet,
    Optimization,
    OptimizationPage,
    Prompt,
    PromptPage,
    bounded,
    field,
    mutation,
)
from autoforge.optimizations import service as optimizations
from autoforge.prompts import domain, versions
from autoforge.prompts import service as prompts
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.schemas import PromptCreate, PromptUpdate

log = logging.getLogger(__name__)
PAGE = domain.MAX_PAGE_SIZE


@strawberry.type
class Query:
    @field("your prompts, newest first; follow `nextCursor`")
    def prompts(
        self,
        info: Info,
        *,
        limit: int = domain.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        label: str | None = None,
        q: str | None = None,
    ) -> PromptPage:
        context = info.context
        filters = ListFilters(status=status, tag=domain.tag_filter(tag), label=label, text=q)
        page = prompts.list_prompts(
            context.uow, context.owner, filters, cursor=cursor, limit=bounded(limit, PAGE, "limit")
        )
        return PromptPage.of(page)

    @field("one prompt by id")
    def prompt(self, info: Info, id: strawberry.ID) -> Prompt:
        return Prompt.of(prompts.get_prompt(info.context.uow, info.context.owner, str(id)))

    @field("evaluations, newest first; of one prompt with `promptId`")
    def evaluations(
        self,
        info: Info,
        *,
        limit: int = domain.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        prompt_id: strawberry.ID | None = None,
        status: str | None = None,
    ) -> EvaluationPage:
        page = evaluations.list_evaluations(
            info.context.uow,
            info.context.owner,
            prompt_id=None if prompt_id is None else str(prompt_id),
            status=status,
            cursor=cursor,
            limit=bounded(limit, PAGE, "limit"),
        )
        return EvaluationPage.of(page)

    @field("one evaluation by id, with its aggregates and results")
    def evaluation(self, info: Info, id: strawberry.ID) -> Evaluation:
        found = evaluations.get_evaluation(info.context.uow, info.context.owner, str(id))
        return Evaluation.of(found)

    @field("datasets, newest first")
    def datasets(
        self, info: Info, limit: int = domain.DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> DatasetPage:
        page = datasets.list_datasets(
            info.context.uow, info.context.owner, cursor=cursor, limit=bounded(limit, PAGE, "limit")
        )
        return DatasetPage.of(page)

    @field("one dataset by id")
    def dataset(self, info: Info, id: strawberry.ID) -> Dataset:
        return Dataset.of(datasets.get_dataset(info.context.uow, info.context.owner, str(id)))

    @field("optimizations, newest first")
    def optimizations(
        self,
        info: Info,
        *,
        limit: int = domain.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        prompt_id: strawberry.ID | None = None,
        status: str | None = None,
    ) -> OptimizationPage:
        page = optimizations.list_optimizations(
            info.context.uow,
            info.context.owner,
            prompt_id=None if prompt_id is None else str(prompt_id),
            status=status,
            cursor=cursor,
            limit=bounded(limit, PAGE, "limit"),
        )
        return OptimizationPage.of(page)

    @field("one optimization by id")
    def optimization(self, info: Info, id: strawberry.ID) -> Optimization:
        found = optimizations.get_optimization(info.context.uow, info.context.owner, str(id))
        return Optimization.of(found)


@strawberry.input(description="as the body of POST /api/v1/prompts")
class PromptInput:
    name: str
    title: str
    content: str
    status: str = "draft"
    tags: list[str] = strawberry.field(default_factory=list)
    metadata: JSON | None = None
    change_note: str | None = None


@strawberry.input(description="as the body of PATCH /api/v1/prompts/{id}; unset fields stay")
class PromptEdit:
    base_version: int = strawberry.field(description="the version you edited (409 if stale)")
    title: str | None = None
    content: str | None = None
    tags: list[str] | None = None
    metadata: JSON | None = None
    change_note: str | None = None


def _fields(data: object) -> dict[str, Any]:
    """An input's fields that were given: what the REST body model validates."""
    return {k: v for k, v in vars(data).items() if v is not None}


@strawberry.type
class Mutation:
    @mutation("create a prompt (version 1)")
    def create_prompt(self, info: Info, input: PromptInput) -> Prompt:
        try:
            data = PromptCreate.model_validate(_fields(input))
        except ValidationError as exc:
            raise as_validation_failed(exc) from None
        return Prompt.of(prompts.create_prompt(info.context.uow, info.context.owner, data))

    @mutation("edit a prompt; a new title or content makes a version")
    def edit_prompt(self, info: Info, id: strawberry.ID, input: PromptEdit) -> Prompt:
        try:
            data = PromptUpdate.model_validate(_fields(input))
        except ValidationError as exc:
            raise as_validation_failed(exc) from None
        edited = prompts.update_prompt(info.context.uow, info.context.owner, str(id), data)
        return Prompt.of(edited)

    @mutation("point a label at a version; moves it if it exists")
    def set_label(self, info: Info, prompt_id: strawberry.ID, label: str, version: int) -> LabelSet:
        saved = versions.set_label(
            info.context.uow, info.context.owner, str(prompt_id), label, version
        )
        return LabelSet(**saved.model_dump())


class AutoforgeSchema(strawberry.Schema):
    """Executes each operation in a worker thread, in that thread's own event loop: the
    libsql driver blocks, so the request's statements (its DataLoader batches included)
    run off the server's event loop, at the cost of one thread hop, as a sync REST endpoint
    does."""

    async def execute(  # noqa: PLR0917 (Strawberry's signature)
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        run = functools.partial(
            strawberry.Schema.execute,
            self,
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        return await anyio.to_thread.run_sync(_in_thread_loop, run)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Logs what the server got wrong, not what the client asked wrongly."""
        for error in errors:
            if not is_expected(error):
                log.error("GraphQL error: %s", error.message, exc_info=error.original_error)


_threads = threading.local()


def _in_thread_loop(run: functools.partial[Any]) -> ExecutionResult:
    loop = getattr(_threads, "loop", None)
    if loop is None:
        loop = _threads.loop = asyncio.new_event_loop()
    result: ExecutionResult = loop.run_until_complete(run())
    return result


schema = AutoforgeSchema(
    query=Query,
    mutation=Mutation,
    extensions=[*limits.LIMITS, limits.ListBudget, RequestTransaction],
)
