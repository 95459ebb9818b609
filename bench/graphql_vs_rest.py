"""GraphQL's prompts-with-versions query against the REST calls that fetch the same data.

The REST list (`GET /api/v1/prompts?limit=50`) carries each prompt's tags and labels but not
its versions, so the equivalent of one GraphQL query is 51 REST calls: the list, then
`GET /api/v1/prompts/{id}/versions?limit=50` for each listed prompt. Both are driven by
`wrk -t1 -c16` against the same server, and compared as pages of 50 prompts with their
versions served per second (REST: requests/s divided by 51).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
QUERY_SCRIPT = HERE / "graphql_query.lua"
REST_SCRIPT = HERE / "graphql_rest_equivalent.lua"
PAGE = 50


def _wrk(url: str, script: Path, seconds: int, *args: str) -> float:
    command = [
        "wrk",
        "-t1",
        "-c16",
        f"-d{seconds}s",
        "-s",
        str(script),
        url,
        *(("--", *args) if args else ()),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    assert "Non-2xx or 3xx responses" not in out, out
    return float(match[1])


def _rest_paths(base_url: str) -> list[str]:
    listing = httpx.get(f"{base_url}/api/v1/prompts", params={"limit": PAGE}, timeout=30)
    listing.raise_for_status()
    ids = [item["id"] for item in listing.json()["items"]]
    assert ids, "the server has no prompts to list"
    return [
        f"/api/v1/prompts?limit={PAGE}",
        *(f"/api/v1/prompts/{prompt_id}/versions?limit={PAGE}" for prompt_id in ids),
    ]


def _check_query(base_url: str) -> int:
    """The query answers without errors (a GraphQL error is an HTTP 200 wrk would count)."""
    body = re.search(r"^wrk\.body = '(.*)'$", QUERY_SCRIPT.read_text(), re.MULTILINE)
    assert body, "no one-line `wrk.body = '...'` in graphql_query.lua"
    answer = httpx.post(
        f"{base_url}/graphql",
        content=body[1],
        headers={"content-type": "application/json"},
        timeout=30,
    ).json()
    assert not answer.get("errors"), answer
    return len(answer["data"]["prompts"]["items"])


def bench_graphql(base_url: str, seconds: int = 8) -> tuple[float, float]:
    """(GraphQL queries/s, REST equivalents/s): pages of up to 50 prompts with their
    versions per second, each way, on the server at `base_url` (local mode: no key)."""
    prompts = _check_query(base_url)
    paths = _rest_paths(base_url)
    assert len(paths) == prompts + 1
    graphql = _wrk(f"{base_url}/graphql", QUERY_SCRIPT, seconds)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listed:
        listed.write("\n".join(paths) + "\n")
        listed.flush()
        rest_calls = _wrk(base_url, REST_SCRIPT, seconds, listed.name)
    return graphql, rest_calls / len(paths)
