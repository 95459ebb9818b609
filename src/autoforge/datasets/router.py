"""`/api/v1/datasets`: datasets of test cases with immutable versions, import, examples."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from autoforge.api.bodies import read_text
from autoforge.api.deps import ContainerDep, Principal, ReadUoW, WriteUoW
from autoforge.api.downloads import download, download_responses
from autoforge.api.responses import problems
from autoforge.datasets import bulk_import, domain, examples, export, service
from autoforge.datasets.schemas import (
    Dataset,
    DatasetCreate,
    DatasetPage,
    DatasetVersionCreate,
    DatasetVersionInfo,
    ExamplesInstalled,
    ItemPage,
    Text,
    VersionPage,
)
from autoforge.datasets.sealing import MAX_FIELDS, VaultSource
from autoforge.exports import ExportFormat
from autoforge.prompts import domain as prompt_domain
from autoforge.secrets.keys import vault_of

router = APIRouter(prefix="/api/v1", tags=["datasets"])

IMPORT_MEDIA_TYPES = ("text/plain", "text/csv", "application/x-ndjson", "application/jsonl")

DatasetId = Annotated[str, Path(max_length=64, description="the dataset's id")]
VersionNumber = Annotated[int, Path(ge=1, le=prompt_domain.MAX_VERSION)]


def _vault(container: ContainerDep) -> VaultSource:
    """The server's vault, built only if a version with sensitive fields is written or read:
    a server without encryption keys serves every other dataset."""
    return partial(vault_of, container.settings)


VaultDep = Annotated[VaultSource, Depends(_vault)]


@router.post(
    "/datasets", status_code=201, response_model=Dataset, responses=problems(409, 422, 503)
)
def create_dataset(
    data: DatasetCreate, uow: WriteUoW, owner: Principal, vault: VaultDep
) -> Dataset:
    """Create a dataset. `items`, when given, become version 1; an item without a `name` is
    called `case-0001`, `case-0002`, ... by position. Names are unique per owner, and item
    names within a version (422 naming the duplicates). The values of the `sensitive` input
    fields are stored encrypted (503 when the server has no encryption key)."""
    return service.create_dataset(uow, owner, data, vault=vault)


@router.get("/datasets", response_model=DatasetPage, responses=problems(422, 503))
def list_datasets(
    uow: ReadUoW,
    owner: Principal,
    cursor: Annotated[str | None, Query(max_length=500, description="from `next_cursor`")] = None,
    limit: Annotated[
        int, Query(ge=1, le=prompt_domain.MAX_PAGE_SIZE)
    ] = prompt_domain.DEFAULT_PAGE_SIZE,
) -> DatasetPage:
    """List your datasets, newest first, each with its latest version. Follow `next_cursor`
    until it is null."""
    return service.list_datasets(uow, owner, cursor=cursor, limit=limit)


@router.post(
    "/datasets:install-examples", response_model=ExamplesInstalled, responses=problems(503)
)
def install_examples(uow: WriteUoW, owner: Principal) -> ExamplesInstalled:
    """Install the shipped example datasets (`sentiment`, `extraction`, `arithmetic`, 40+
    cases each) and a starting prompt for each (`sentiment-classifier`, `person-extractor`,
    `arithmetic-solver`: active, label `production`). Whatever already exists by name is left
    alone, so calling it again creates nothing."""
    return ExamplesInstalled(created=examples.install_examples(uow, owner))


@router.get("/datasets/by-name/{name}", response_model=Dataset, responses=problems(404, 422, 503))
def get_by_name(
    name: Annotated[str, Path(max_length=200, examples=["sentiment"])],
    uow: ReadUoW,
    owner: Principal,
) -> Dataset:
    """Get a dataset by its name, with its latest version."""
    return service.get_by_name(uow, owner, name)


@router.get("/datasets/{dataset_id}", response_model=Dataset, responses=problems(404, 422, 503))
def get_dataset(dataset_id: DatasetId, uow: ReadUoW, owner: Principal) -> Dataset:
    """Get a dataset with its latest version (`latest`, null before the first)."""
    return service.get_dataset(uow, owner, dataset_id)


@router.delete("/datasets/{dataset_id}", status_code=204, responses=problems(404, 422, 503))
def delete_dataset(dataset_id: DatasetId, uow: WriteUoW, owner: Principal) -> Response:
    """Delete a dataset for good, with every version and item. Evaluations that ran on it
    keep their results."""
    service.delete_dataset(uow, owner, dataset_id)
    return Response(status_code=204)


@router.get(
    "/datasets/{dataset_id}/versions",
    response_model=VersionPage,
    responses=problems(404, 422, 503),
)
def list_versions(
    dataset_id: DatasetId,
    uow: ReadUoW,
    owner: Principal,
    before: Annotated[int | None, Query(ge=1, le=prompt_domain.MAX_VERSION)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> VersionPage:
    """List a dataset's versions, newest first, with their item counts. Older pages: pass
    `next_before` as `before`."""
    return service.list_versions(uow, owner, dataset_id, before=before, limit=limit)


@router.post(
    "/datasets/{dataset_id}/versions",
    status_code=201,
    response_model=DatasetVersionInfo,
    responses=problems(404, 409, 422, 503),
)
def create_version(
    dataset_id: DatasetId,
    data: DatasetVersionCreate,
    uow: WriteUoW,
    owner: Principal,
    vault: VaultDep,
) -> DatasetVersionInfo:
    """Make the next version. `mode: replace` (default): `items` are the whole version.
    `mode: append`: the latest version's items are copied and `items` added after them; a
    name already in the dataset is a 422. Earlier versions never change. `sensitive`
    defaults to the latest version's fields."""
    return service.create_version(uow, owner, dataset_id, data, vault=vault)


@router.get(
    "/datasets/{dataset_id}/versions/{version}/items",
    response_model=ItemPage,
    responses=problems(404, 422, 503),
)
def list_items(
    *,
    dataset_id: DatasetId,
    version: VersionNumber,
    uow: ReadUoW,
    owner: Principal,
    vault: VaultDep,
    offset: Annotated[int, Query(ge=0, le=domain.MAX_ITEMS, description="first position")] = 0,
    limit: Annotated[int, Query(ge=1, le=domain.MAX_ITEMS_PAGE)] = domain.DEFAULT_ITEMS_PAGE,
) -> ItemPage:
    """A page of a version's items in position order, sensitive values decrypted (they are
    encrypted at rest, not hidden from the dataset's readers). Follow `next_offset` until
    it is null."""
    return service.list_items(
        uow, owner, dataset_id, version, offset=offset, limit=limit, vault=vault
    )


@router.get(
    "/datasets/{dataset_id}/versions/{version}/items:export",
    response_class=StreamingResponse,
    responses={**download_responses("one item"), **problems(404, 422, 503)},
)
def export_items(
    *,
    dataset_id: DatasetId,
    version: VersionNumber,
    container: ContainerDep,
    owner: Principal,
    vault: VaultDep,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "jsonl",
) -> StreamingResponse:
    """The version's items in position order, as JSON Lines (lossless) or CSV (input
    variables as columns), in the shapes `:import` reads back. Sensitive values come out
    decrypted, as the items page shows them."""
    chunks = export.export_items(container.database, owner, dataset_id, version, fmt, vault=vault)
    return download(chunks, fmt, f"dataset-{dataset_id}-v{version}")


async def _import_body(
    request: Request, content_type: Annotated[str | None, Header()] = None
) -> str:
    return await read_text(request, content_type, IMPORT_MEDIA_TYPES, "JSON Lines or CSV")


_JSONL_EXAMPLE = (
    '{"name": "neg-1", "input": {"text": "It broke in a day."}, "expected": "negative", '
    '"metadata": {"category": "product", "difficulty": "easy"}}\n'
    '{"input": {"text": "Not bad at all."}, "expected": "positive"}\n'
)
_CSV_EXAMPLE = (
    "name,text,expected,category,difficulty\n"
    "neg-1,It broke in a day.,negative,product,easy\n"
    ",Not bad at all.,positive,product,hard\n"
)


@router.post(
    "/datasets/{dataset_id}:import",
    status_code=201,
    response_model=DatasetVersionInfo,
    responses=problems(404, 413, 415, 422, 503),
    # Documented as text/plain and text/csv, which every client (and the schema fuzzer)
    # can send; application/x-ndjson and application/jsonl are accepted as well.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}, "example": _JSONL_EXAMPLE},
                "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
            },
        }
    },
)
def import_items(
    *,
    dataset_id: DatasetId,
    text: Annotated[str, Depends(_import_body)],
    uow: WriteUoW,
    owner: Principal,
    vault: VaultDep,
    fmt: Annotated[bulk_import.Format, Query(alias="format")] = "jsonl",
    mode: Annotated[domain.VersionMode, Query(description="replace, or append to")] = "replace",
    note: Annotated[Text | None, Query(max_length=2000)] = None,
    sensitive: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_FIELDS,
            description="an input field stored encrypted (repeat for more); default: the "
            "latest version's",
        ),
    ] = None,
) -> DatasetVersionInfo:
    """Import a file as the next version. `format=jsonl`: one item per line, `{"name"?,
    "input": {...}, "expected"?, "metadata"?: {"category", "difficulty",
    "features_tested"}}`. `format=csv`: a header row; columns `name`, `expected`,
    `category`, `difficulty` and `features_tested` (space-separated) fill those fields, every
    other column is an input variable (as text). `mode=append` keeps the latest version's
    items in front. All or nothing: if any line is rejected nothing is written, and the 422
    lists every rejected line (`line N`, counting the CSV header as line 1). Each `sensitive`
    field must be in some item (422 otherwise)."""
    return bulk_import.import_items(
        uow, owner, dataset_id, text, fmt, mode=mode, note=note, sensitive=sensitive, vault=vault
    )
