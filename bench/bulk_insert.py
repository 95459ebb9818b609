"""Insert 10,000 prompts: our bulk path vs raw sqlite3 and raw libsql executemany.

Each contender gets a fresh, migrated database file with the same pragmas (WAL,
synchronous=NORMAL) and writes the same rows in one transaction. Best of N runs.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import libsql

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.base import iso, table_of
from autoforge.db.bulk import bulk_insert
from autoforge.prompts.models import PromptRow

ROWS = 10_000
RUNS = 5
COLUMNS = (
    "id",
    "project_id",
    "name",
    "title",
    "content",
    "status",
    "version",
    "metadata",
    "created_at",
    "updated_at",
)
SQL = f"INSERT INTO prompts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def make_rows(n: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "project_id": "bench-project",
            "name": f"prompt-{i}",
            "title": f"Prompt {i}",
            "content": f"Summarise the following text in {i % 7 + 1} sentences: {{{{text}}}}",
            "status": "active",
            "version": 1,
            "metadata": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]


def as_tuples(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    out = []
    for r in rows:
        stamp = iso(r["created_at"])  # type: ignore[arg-type]
        out.append(
            (
                r["id"],
                r["project_id"],
                r["name"],
                r["title"],
                r["content"],
                r["status"],
                r["version"],
                "{}",
                stamp,
                stamp,
            )
        )
    return out


def template_db(root: Path) -> Path:
    settings = Settings(autoforge_data_dir=root / "template", _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    container.close()
    return root / "template" / "autoforge.db"


def fresh_copy(template: Path, root: Path, name: str) -> Path:
    target = root / name
    target.mkdir()
    shutil.copy(template, target / "autoforge.db")
    return target


def run_sqlite3(db: Path, rows: list[tuple[object, ...]]) -> None:
    conn = sqlite3.connect(db / "autoforge.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(SQL, rows)
    conn.execute("COMMIT")
    conn.close()


def run_libsql(db: Path, rows: list[tuple[object, ...]]) -> None:
    conn = libsql.connect(str(db / "autoforge.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(SQL, rows)
    conn.commit()
    conn.close()


def run_autoforge(db: Path, rows: list[dict[str, object]]) -> None:
    settings = Settings(autoforge_data_dir=db, _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    with container.database.transaction() as uow:
        bulk_insert(uow.session, table_of(PromptRow), rows)
    container.close()


def best_of(label: str, template: Path, root: Path, work: Callable[[Path], None]) -> float:
    times = []
    for run in range(RUNS):
        db = fresh_copy(template, root, f"{label}-{run}")
        started = time.perf_counter()
        work(db)
        times.append(time.perf_counter() - started)
        check = sqlite3.connect(db / "autoforge.db")
        assert check.execute("SELECT count(*) FROM prompts").fetchone()[0] == ROWS
        check.close()
    return min(times)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    template = template_db(root)
    dict_rows = make_rows(ROWS)
    tuple_rows = as_tuples(dict_rows)
    results = {
        "raw sqlite3 executemany": best_of(
            "sqlite3", template, root, lambda d: run_sqlite3(d, tuple_rows)
        ),
        "raw libsql executemany": best_of(
            "libsql", template, root, lambda d: run_libsql(d, tuple_rows)
        ),
        "autoforge bulk_insert": best_of(
            "autoforge", template, root, lambda d: run_autoforge(d, dict_rows)
        ),
    }
    ours = results["autoforge bulk_insert"]
    print(f"bulk insert of {ROWS:,} prompts, one transaction, best of {RUNS} (all indexes live)")
    for label, seconds in results.items():
        print(f"  {label:26s} {seconds * 1000:8.1f} ms  {ROWS / seconds:>10,.0f} rows/s")
    print(f"  ratio autoforge / raw libsql:  {ours / results['raw libsql executemany']:.2f}x")
    print(f"  ratio autoforge / raw sqlite3: {ours / results['raw sqlite3 executemany']:.2f}x")
    print(
        f"  target: < 0.5 s ({'met' if ours < 0.5 else 'MISSED'}), within 3x of raw libsql "
        f"({'met' if ours / results['raw libsql executemany'] <= 3 else 'MISSED'})"
    )
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
