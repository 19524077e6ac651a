"""A full rebuild on SQLite: while the connection holding the write lock counts the earlier
days into ``concern_counts``, a second connection counts the later days into a scratch
file, and the first copies them in before it commits. One transaction: readers see the old
facts until the commit, a write asked for meanwhile waits for it, and a failure leaves the
old facts and the marks as they were."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engage.database import in_a_file, make_engine
from engage.models import Base, StaleRollupDay
from engage.services.corrections import correct_themes
from jobs import rollup_scratch
from jobs.rollups import rebuild_rollups
from tests.factories import staff_user
from tests.jobs.conftest import add_concerns, concern
from tests.jobs.test_rollup_swap import FIRST, NOW, counted_directly, facts, spread_concerns

ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def while_counting_later_days(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` in the helper thread, once the lead holds the write lock, before the
    helper counts."""
    count = rollup_scratch._count_into_scratch

    def act_then_count(*args: Any) -> int:
        action()
        return count(*args)

    monkeypatch.setattr(rollup_scratch, "_count_into_scratch", act_then_count)


def attached_files(session: Session) -> list[str]:
    """The databases each pooled connection has attached, after the rebuild."""
    engine = session.get_bind().engine
    with engine.connect() as first, engine.connect() as second:
        names = [
            row[1]
            for connection in (first, second)
            for row in connection.exec_driver_sql("PRAGMA database_list").all()
        ]
        first.rollback()
        second.rollback()
    return names


@ON_SQLITE
def test_both_halves_are_counted_and_match_an_independent_count(session: Session) -> None:
    spread_concerns(session, 40)

    written = rebuild_rollups(session)

    assert facts(session) == counted_directly(session)
    assert written == len(counted_directly(session))
    days = sorted({row[0] for row in facts(session)})
    assert days[0] == FIRST.date()
    assert days[-1] == (FIRST + timedelta(days=39)).date()


@ON_SQLITE
def test_a_rebuild_of_nothing_writes_nothing(session: Session) -> None:
    assert rebuild_rollups(session) == 0
    assert facts(session) == []


@ON_SQLITE
def test_no_scratch_file_is_left_attached_or_on_disk(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread_concerns(session, 6)
    folders: list[Path] = []
    count = rollup_scratch._count_into_scratch

    def noting_the_folder(connection: Any, scratch: str, *args: Any) -> int:
        folders.append(Path(scratch).parent)
        return count(connection, scratch, *args)

    monkeypatch.setattr(rollup_scratch, "_count_into_scratch", noting_the_folder)

    rebuild_rollups(session)
    rebuild_rollups(session)

    assert len(folders) == 2
    beside_the_database = Path(session.get_bind().engine.url.database or "").resolve().parent
    assert {folder.parent for folder in folders} == {beside_the_database}
    assert not any(folder.exists() for folder in folders)
    assert rollup_scratch.SCRATCH not in attached_files(session)
    assert facts(session) == counted_directly(session)


@ON_SQLITE
def test_readers_see_the_old_facts_until_the_commit(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread_concerns(session, 3)
    rebuild_rollups(session)
    old = facts(session)
    add_concerns(session, [concern(submitted_at=FIRST, theme="burglary")])
    seen: list[list[tuple[Any, ...]]] = []
    engine = session.get_bind()
    while_counting_later_days(monkeypatch, lambda: seen.append(facts(Session(engine))))

    rebuild_rollups(session)

    assert seen == [old]
    assert facts(session) == counted_directly(session) != old


@ON_SQLITE
def test_a_concern_sent_during_the_rebuild_waits_for_it_and_its_day_stays_marked(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread_concerns(session, 3)
    engine = session.get_bind()
    finished = threading.Event()

    def store_meanwhile() -> None:
        with Session(engine) as other:
            add_concerns(other, [concern(submitted_at=FIRST, theme="burglary")])
            correct_themes(other, 1, "violence", None, staff_user(other).id, NOW)
        finished.set()

    writer = threading.Thread(target=store_meanwhile)

    def start_writing() -> None:
        writer.start()
        assert not finished.wait(0.5), "the write did not wait for the rebuild"

    while_counting_later_days(monkeypatch, start_writing)
    rebuild_rollups(session)
    writer.join(30)

    assert finished.is_set()
    assert "burglary" not in {row[2] for row in facts(session)}
    assert session.scalar(select(func.count()).select_from(StaleRollupDay)) == 1
    session.rollback()


@ON_SQLITE
def test_a_failure_while_counting_keeps_the_old_facts_and_the_marks(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = staff_user(session)
    first, *_ = spread_concerns(session, 4)
    rebuild_rollups(session)
    old = facts(session)
    correct_themes(session, first.id, "violence", None, user.id, NOW)

    def fail() -> None:
        raise RuntimeError("the second connection was lost")

    while_counting_later_days(monkeypatch, fail)
    with pytest.raises(RuntimeError, match="second connection"):
        rebuild_rollups(session)

    assert facts(session) == old
    assert session.scalar(select(func.count()).select_from(StaleRollupDay)) == 1
    session.rollback()
    assert rollup_scratch.SCRATCH not in attached_files(session)


@ON_SQLITE
@pytest.mark.parametrize("library", ["system", "bundled"])
def test_either_sqlite_library_rebuilds_the_same_facts(
    session: Session, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    if library == "bundled":
        pytest.importorskip("pysqlite3", reason="pysqlite3-binary is installed on Linux x86-64")
    spread_concerns(session, 12)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("ENGAGE_SQLITE_LIBRARY", library)
    engine = make_engine(url)
    try:
        with Session(engine) as other:
            module = other.connection().connection.driver_connection.__class__.__module__
            other.rollback()
            assert module.startswith("pysqlite3" if library == "bundled" else "sqlite3")
            rebuild_rollups(other)
        assert facts(session) == counted_directly(session)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM concern_counts")).scalar()
    finally:
        engine.dispose()


def test_the_scratch_file_goes_beside_the_database_file(tmp_path: Path) -> None:
    database = tmp_path / "data" / "engage.sqlite3"

    assert rollup_scratch.scratch_parent(make_url(f"sqlite:///{database}")) == database.parent
    assert (
        rollup_scratch.scratch_parent(make_url(f"sqlite:///file:{database}?mode=rwc&uri=true"))
        == database.parent
    )


def test_only_a_database_in_a_file_is_counted_by_two_connections() -> None:
    assert in_a_file(make_url("sqlite:////var/lib/engage/engage.sqlite3"))
    assert not in_a_file(make_url("sqlite://"))
    assert not in_a_file(make_url("sqlite:///:memory:"))
    assert not in_a_file(make_url("sqlite:///file:facts?mode=memory&cache=shared&uri=true"))


def test_an_in_memory_database_is_rebuilt_in_one_statement() -> None:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        spread_concerns(session, 5)
        assert rebuild_rollups(session) == len(counted_directly(session))
        assert facts(session) == counted_directly(session)
    engine.dispose()
