"""Similar prompts: top-10 among N embedded versions by the libSQL vector index against an
exact `ORDER BY vector_distance_cos` scan, in the same run, on the same file.

The vectors are synthetic, not MiniLM embeddings of real prompts (embedding 100,000 texts on
the local model would take most of an hour and measure the model, not the index). Sentence
embeddings vary along a few dozen directions, so each vector here is a random point of a
32-dimensional subspace mapped into 384 dimensions, plus noise, normalised to unit length;
queries are fresh points from the same distribution. (Uniform random unit vectors would be
a poor test: in 384 dimensions they are all nearly equidistant.) `BENCH_SIMILARITY_DATA=
clusters` uses 1,000 tight clusters instead: the hard case, where a query's 10 nearest are
10 of ~100 nearly equidistant cluster members.

Prints the p50/p95 of each way, recall@10 of the index against the exact answer, the time to
build, and the file size with and without the index (`compress_neighbors=float8`,
`max_neighbors=16`, migration 0013). `BENCH_SIMILARITY_N` sets N (default 100,000).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

from autoforge.bootstrap import Container
from autoforge.similarity.models import INDEX_NAME
from autoforge.similarity.repository import SimilarityRepository, digest
from bench.prompts import fresh, percentile

N = int(os.environ.get("BENCH_SIMILARITY_N", "100000"))
QUERIES = 200
K = 10
DATA = os.environ.get("BENCH_SIMILARITY_DATA", "subspace")
DIM = 384
BATCH = 1000
RESULTS = Path(__file__).parent / "results" / "similarity.jsonl"


def points(rng: np.random.Generator, basis: np.ndarray, n: int) -> np.ndarray:
    if DATA == "clusters":
        raw = basis[rng.integers(0, len(basis), n)] + 0.08 * rng.normal(size=(n, DIM))
    else:
        raw = rng.normal(size=(n, len(basis))) @ basis + 2.0 * rng.normal(size=(n, DIM))
    return (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype("<f4")


def load(container: Container, vectors: np.ndarray) -> float:
    """Inserts the vectors in batches of 1,000 (one transaction each); returns the seconds."""
    started = time.perf_counter()
    for start in range(0, len(vectors), BATCH):
        chunk = [v.tobytes() for v in vectors[start : start + BATCH]]
        with container.database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO embedding_vectors (digest, model, embedding, created_at)"
                    " VALUES (:d, 'bench', :e, '2026-12-07T00:00:00.000000Z')"
                ),
                [{"d": digest(v), "e": v} for v in chunk],
            )
    return time.perf_counter() - started


def size_mb(container: Container, folder: Path) -> float:
    with container.database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(f.stat().st_size for f in folder.rglob("*.db*")) / 1e6


def exact(container: Container, query: bytes) -> list[int]:
    with container.database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id FROM embedding_vectors"
                " ORDER BY vector_distance_cos(embedding, vector32(:q)) LIMIT :k"
            ),
            {"q": query, "k": K},
        )
        return [int(r[0]) for r in rows]


def indexed(container: Container, query: bytes) -> list[int]:
    with container.database.transaction(read_only=True) as uow:
        return [i for i, _ in SimilarityRepository(uow.session).candidates(query, K)]


def timed(samples: list[float], work: object, *args: object) -> list[int]:
    started = time.perf_counter()
    found: list[int] = work(*args)  # type: ignore[operator]
    samples.append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    rng = np.random.default_rng(2026)
    basis = rng.normal(size=(1000 if DATA == "clusters" else 32, DIM))
    vectors = points(rng, basis, N)
    queries = points(rng, basis, QUERIES)
    root = Path(tempfile.mkdtemp(prefix="bench-similarity-"))

    plain = fresh(root, "plain")
    with plain.database.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {INDEX_NAME}")
    plain_load_s = load(plain, vectors)
    plain_mb = size_mb(plain, root / "plain")
    plain.close()

    container = fresh(root, "indexed")
    index_load_s = load(container, vectors)
    index_mb = size_mb(container, root / "indexed")
    exact_ms: list[float] = []
    index_ms: list[float] = []
    hits = 0
    for q in queries:
        query = q.tobytes()
        truth = timed(exact_ms, exact, container, query)
        found = timed(index_ms, indexed, container, query)
        hits += len(set(truth) & set(found))
    container.close()

    result = {
        "benchmark": "similarity",
        "versions": N,
        "data": DATA,
        "index": "float8, max_neighbors=16",
        "queries": QUERIES,
        "k": K,
        "exact_p50_ms": round(percentile(exact_ms, 0.5), 2),
        "exact_p95_ms": round(percentile(exact_ms, 0.95), 2),
        "index_p50_ms": round(percentile(index_ms, 0.5), 2),
        "index_p95_ms": round(percentile(index_ms, 0.95), 2),
        "recall_at_10": round(hits / (QUERIES * K), 4),
        "load_s_without_index": round(plain_load_s, 1),
        "load_s_with_index": round(index_load_s, 1),
        "file_mb_without_index": round(plain_mb, 1),
        "file_mb_with_index": round(index_mb, 1),
        "raw_vector_mb": round(N * DIM * 4 / 1e6, 1),
    }
    print(json.dumps(result, indent=2))
    speedup = result["exact_p95_ms"] / max(result["index_p95_ms"], 1e-9)
    print(
        f"index p95 is {speedup:.1f}x faster than the exact scan at recall@10 "
        f"{result['recall_at_10']:.3f}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
