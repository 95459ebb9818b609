"""Child process: takes the database's write lock, says so on stdout, holds it, commits."""

from __future__ import annotations

import sys
import time

import libsql


def main(db_file: str, seconds: float) -> None:
    conn = libsql.connect(db_file, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO prompts (id, project_id, name, title, content, status, version, metadata,"
        " created_at, updated_at) VALUES ('blocker', 'bob', 'blocker', 't', 'c', 'draft', 1,"
        " '{}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
    )
    print("locked", flush=True)
    time.sleep(seconds)
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
