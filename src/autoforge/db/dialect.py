"""SQLAlchemy dialect `sqlite+libsql`: the stock SQLite dialect over our libsql DB-API face."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPIModule, IsolationLevel

_DISCONNECT_MARKERS = (
    "http error",
    "error trying to connect",
    "connection reset",
    "Connection reset",
    "Broken pipe",
    "stream expired",
    "baton",
)


class LibSQLDialect(SQLiteDialect_pysqlite):
    driver = "libsql"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> DBAPIModule:
        from autoforge.db import libsql_dbapi

        return cast("DBAPIModule", libsql_dbapi)

    def on_connect(self) -> Callable[[DBAPIConnection], None]:
        # libsql cannot register Python functions (REGEXP); we never rely on them.
        return lambda _connection: None

    def set_isolation_level(self, dbapi_connection: DBAPIConnection, level: IsolationLevel) -> None:
        # Connections stay in driver autocommit; transaction boundaries are explicit BEGINs.
        return None

    def get_isolation_level(self, dbapi_connection: DBAPIConnection) -> IsolationLevel:
        return "SERIALIZABLE"

    def detect_autocommit_setting(self, dbapi_conn: DBAPIConnection) -> bool:
        return False

    def is_disconnect(self, e: Any, connection: Any, cursor: Any) -> bool:
        # Only transport failures invalidate a pooled connection; SQL errors do not.
        text = str(e)
        return any(marker in text for marker in _DISCONNECT_MARKERS)


registry.register("sqlite.libsql", "autoforge.db.dialect", "LibSQLDialect")
