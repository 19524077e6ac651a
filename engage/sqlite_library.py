"""Which SQLite library the service's SQLite engines use.

Python's ``sqlite3`` module runs whatever SQLite the operating system ships: 3.40.1 on
Debian 12, built there without the lookaside allocator and with secure delete. Where the
``pysqlite3-binary`` wheel is installed (Linux on x86-64, see pyproject.toml), Engage uses
the newer SQLite it bundles instead (3.51 at the time of writing), with the same DB-API.
On a million concerns its full rollup rebuild took 2.0 s against 3.7 s, the counting
alone 0.8 s against 1.8 s (docs/rollups.md). The database file is the same either way:
both libraries read and write it, WAL included, so an operator may switch at any time.

``ENGAGE_SQLITE_LIBRARY=system`` keeps Python's own ``sqlite3``. ``bundled`` insists on
pysqlite3 and stops the service where it is missing. Unset means bundled where installed,
else system.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

SETTING = "ENGAGE_SQLITE_LIBRARY"
CHOICES = ("bundled", "system")


class SQLiteLibraryError(RuntimeError):
    """ENGAGE_SQLITE_LIBRARY names no library, or one that is not installed."""


def sqlite_dbapi(choice: str | None = None) -> ModuleType:
    """The DB-API module for SQLite engines, by ``choice`` or else ENGAGE_SQLITE_LIBRARY."""
    wanted = (choice if choice is not None else os.environ.get(SETTING, "")).strip().lower()
    if wanted not in ("", *CHOICES):
        raise SQLiteLibraryError(f"{SETTING} is {wanted!r}: use 'bundled' or 'system'")
    if wanted != "system":
        try:
            bundled = importlib.import_module("pysqlite3.dbapi2")
        except ImportError:
            if wanted == "bundled":
                raise SQLiteLibraryError(
                    f"{SETTING}=bundled but pysqlite3 is not installed "
                    "(pip install pysqlite3-binary, on Linux x86-64)"
                ) from None
        else:
            return bundled
    return importlib.import_module("sqlite3.dbapi2")
