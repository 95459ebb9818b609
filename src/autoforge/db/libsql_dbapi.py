"""A DB-API 2.0 face for the `libsql` driver, so SQLAlchemy's SQLite dialect can drive it.

`libsql` 0.1.x raises bare `ValueError` for every failure and pins connections to the
thread that opened them. SQLAlchemy (and our retry policy) need sqlite3's exception
hierarchy, and FastAPI's thread pool moves pooled connections between threads, so this
module translates errors into sqlite3's classes and opens connections thread-free.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from sqlite3 import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from typing import Any

import libsql

__all__ = [
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Warning",
    "connect",
]

apilevel = "2.0"
threadsafety = 1
paramstyle = "qmark"
sqlite_version_info: tuple[int, ...] = tuple(libsql.sqlite_version_info)
Binary = bytes

_INTEGRITY_MARKERS = ("constraint failed", "NOT NULL constraint", "FOREIGN KEY")
_PROGRAMMING_MARKERS = ("Cannot operate on a closed", "Incorrect number of bindings")


_HRANA_DETAIL = re.compile(r'message: "(?P<message>.*?)", code: "(?P<code>\w+)"')


def translate(exc: ValueError) -> sqlite3.Error:
    """Map a libsql `ValueError` to the sqlite3 exception class a caller would expect."""
    message = str(exc)
    detail = _HRANA_DETAIL.search(message)
    if detail:  # sqld wraps SQLite's own message; keep just that part
        message = detail["message"].removeprefix("SQLite error: ")
        if detail["code"].startswith("SQLITE_CONSTRAINT"):
            return IntegrityError(message)
    if any(marker in message for marker in _INTEGRITY_MARKERS):
        return IntegrityError(message)
    if any(marker in message for marker in _PROGRAMMING_MARKERS):
        return ProgrammingError(message)
    return OperationalError(message)


class Cursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        try:
            self._cursor.execute(sql, tuple(parameters))
        except ValueError as exc:
            raise translate(exc) from exc
        return self

    def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> Cursor:
        try:
            self._cursor.executemany(sql, [tuple(p) for p in seq_of_parameters])
        except ValueError as exc:
            raise translate(exc) from exc
        return self

    # SQLite reports some errors only while stepping through rows (a CHECK failing in an
    # INSERT ... RETURNING), so fetching translates errors too.
    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except ValueError as exc:
            raise translate(exc) from exc

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            rows: list[Any] = self._cursor.fetchmany(size or self._cursor.arraysize)
        except ValueError as exc:
            raise translate(exc) from exc
        return rows

    def fetchall(self) -> list[Any]:
        try:
            rows: list[Any] = self._cursor.fetchall()
        except ValueError as exc:
            raise translate(exc) from exc
        return rows

    def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        count: int = self._cursor.rowcount
        return count

    @property
    def lastrowid(self) -> int | None:
        rowid: int | None = self._cursor.lastrowid
        return rowid

    @property
    def arraysize(self) -> int:
        size: int = self._cursor.arraysize
        return size

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class Connection:
    """Always in driver autocommit: SQLAlchemy's `begin` hook issues BEGIN [IMMEDIATE] itself."""

    __slots__ = ("_conn", "remote")

    def __init__(self, conn: Any, *, remote: bool) -> None:
        self._conn = conn
        self.remote = remote

    isolation_level = None

    def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor())

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        return self.cursor().execute(sql, parameters)

    def commit(self) -> None:
        try:
            self._conn.commit()
        except ValueError as exc:
            raise translate(exc) from exc

    def rollback(self) -> None:
        try:
            self._conn.rollback()
        except ValueError as exc:
            raise translate(exc) from exc

    def close(self) -> None:
        self._conn.close()

    @property
    def in_transaction(self) -> bool:
        return bool(self._conn.in_transaction)


def is_remote(target: str) -> bool:
    return target.startswith(("libsql://", "http://", "https://", "ws://", "wss://"))


def connect(
    target: str, *, auth_token: str | None = None, busy_timeout_ms: int = 5000
) -> Connection:
    """Open a local libSQL file (tuned for concurrent readers) or a remote sqld/Turso database."""
    try:
        if is_remote(target):
            conn = libsql.connect(
                target, auth_token=auth_token or "", isolation_level=None, _check_same_thread=False
            )
            return Connection(conn, remote=True)
        conn = libsql.connect(
            target,
            isolation_level=None,
            _check_same_thread=False,
            timeout=busy_timeout_ms / 1000,
        )
        # WAL lets readers run beside the single writer; NORMAL sync survives an application
        # crash (not a power loss) and is what makes small commits cheap.
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
        ):
            conn.execute(pragma)
    except ValueError as exc:
        raise translate(exc) from exc
    return Connection(conn, remote=False)
