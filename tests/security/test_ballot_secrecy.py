"""Secret ballots against whoever holds the database: the live files, `portal backup` files taken
during and after the voting, PostgreSQL's system columns and dead row versions, SQLite's rowid.

Twelve houses vote one after another, each in its own committed transaction, as in real use.
Nothing must let the order of voting (which the participation records and the audit log keep)
be matched with the ballots: while the voting goes on no ballot, receipt or answer is anywhere
in the clear; after the count the ballots lie in an order unrelated to the order of voting,
written in one transaction, and no superseded row version of a ballot exists.
"""

import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from app.db import make_engine
from app.models.ballots import ElectionCreate, ElectionSealedBallot
from app.models.calendar import Audience
from app.models.committees import Position
from app.models.people import Person, StaffKind
from app.models.surveys import SurveyCreate
from app.services.access.roles import load_principal
from app.services.ballots import counting, sealing, voting
from app.services.ballots import elections as elections_service
from app.services.ballots import secrecy as ballots
from app.services.ballots import surveys as surveys_service
from app.services.platform import backup as backup_service
from tests.support import make_committee, make_house, make_resident, make_staff
from tests.test_backup import database_url, run  # noqa: F401 - the fixture is used by name

# The queries name fixed tables and system columns only.
# ruff: noqa: S608

VOTERS = 12
TODAY = date.today()


def _postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@pytest.fixture()
def engine(database_url: str) -> Iterator[Engine]:  # noqa: F811 - the imported fixture
    """The test's own migrated database (PORTAL_DATABASE_URL points at it)."""
    run("migrate")
    made = make_engine(database_url)
    yield made
    made.dispose()


def _readable(url: str, backup_file: Path) -> bytes:
    """A backup as bytes one can search: the SQLite file itself, or pg_dump's custom format
    turned back into SQL by pg_restore (the rows of each table in their stored order)."""
    if not _postgres(url):
        return backup_file.read_bytes()
    tool = backup_service._tool("pg_restore")
    made = subprocess.run(  # noqa: S603 - a fixed tool and a file of the test's own
        [tool, "--data-only", "--file", "-", str(backup_file)],
        capture_output=True,
        check=True,
    )
    return made.stdout


def _live_files(url: str) -> bytes:
    """The SQLite database file and its write-ahead log as they are on disk."""
    path = Path(make_url(url).database or "")
    found = b""
    for candidate in (path, path.with_name(path.name + "-wal")):
        if candidate.exists():
            found += candidate.read_bytes()
    return found


def _physical(url: str) -> str:
    return "ctid" if _postgres(url) else "rowid"


def _order_in(blob: bytes, needles: list[str]) -> list[int]:
    """The indexes of the needles in the order they first occur in the blob."""
    places = sorted((blob.find(n.encode()), i) for i, n in enumerate(needles))
    return [i for place, i in places if place >= 0]


def _world(engine: Engine) -> SimpleNamespace:
    """Twelve houses with a chair each, two candidates, an election whose voting runs today."""
    with Session(engine) as session:
        houses, chairs = [], []
        for _ in range(VOTERS):
            house = make_house(session)
            chair = make_resident(session, house)
            make_committee(session, house, [(chair, Position.chair)])
            houses.append(house.id)
            chairs.append(chair.id)
        election, key = elections_service.create_election(
            session,
            ElectionCreate(
                title="Haso-yte",
                nomination_opens_on=TODAY - timedelta(days=20),
                nomination_closes_on=TODAY - timedelta(days=5),
                voting_opens_on=TODAY - timedelta(days=1),
                voting_closes_on=TODAY + timedelta(days=3),
                max_choices=3,
            ),
            None,
        )
        candidates = [
            elections_service.stand(
                session, election, chairs[i], houses[i], "Esittely", TODAY - timedelta(days=10)
            ).id
            for i in range(3)
        ]
        session.commit()
        return SimpleNamespace(
            election=election.id, key=key, houses=houses, chairs=chairs, candidates=candidates
        )


def test_no_dump_backup_or_system_column_links_a_ballot_to_its_house(engine, tmp_path):
    url = str(engine.url.render_as_string(hide_password=False))
    world = _world(engine)
    receipts: list[str] = []
    for n in range(VOTERS):  # house n votes n-th; one mark, two or three
        marked = world.candidates[: 1 + n % 3]
        with Session(engine) as session:
            election = elections_service.get_election(session, world.election)
            code = voting.cast_vote(
                session, election, world.chairs[n], world.houses[n], marked, TODAY
            )
            session.commit()
        receipts.append(ballots.receipt_hash(code))

    # During the voting: nothing of a ballot in the clear anywhere, sealed rows all one size.
    during = tmp_path / "during.backup"
    run("backup", str(during))
    for blob in (_readable(url, during), _live_files(url)):
        assert _order_in(blob, receipts) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM election_ballot")).scalar_one() == 0
        sizes = conn.execute(text("SELECT DISTINCT length(sealed) FROM election_sealed_ballot"))
        assert len(sizes.all()) == 1
        voted = [
            row[0]
            for row in conn.execute(
                text(f"SELECT house_id FROM election_participation ORDER BY {_physical(url)}")
            )
        ]
    assert voted == world.houses  # the participation records do keep the order of voting

    # The count, after the voting has closed, with the counting key.
    closed = datetime.combine(TODAY + timedelta(days=4), time(9), tzinfo=UTC)
    with Session(engine) as session:
        election = elections_service.get_election(session, world.election)
        counting.count(session, election, None, world.key, now=closed)
        session.commit()

    voting_order = list(range(VOTERS))
    with engine.connect() as conn:
        stored = [
            row[0]
            for row in conn.execute(
                text(f"SELECT receipt_hash FROM election_ballot ORDER BY {_physical(url)}")
            )
        ]
        assert sorted(stored) == sorted(receipts)
        physical = [receipts.index(h) for h in stored]
        assert physical not in (voting_order, voting_order[::-1])
        assert conn.execute(text("SELECT count(*) FROM election_sealed_ballot")).scalar_one() == 0
        locked = conn.execute(text("SELECT locked_private_key FROM election")).scalar_one()
        assert locked is None
        if _postgres(url):
            # One transaction wrote every ballot: their xmin tells nothing of the order.
            for table in ("election_ballot", "election_ballot_choice"):
                xmins = conn.execute(text(f"SELECT DISTINCT xmin::text FROM {table}")).all()
                assert len(xmins) == 1, table
            _no_dead_ballot_versions(conn)

    after = tmp_path / "after.backup"
    run("backup", str(after))
    in_backup = _order_in(_readable(url, after), receipts)
    assert sorted(in_backup) == voting_order
    assert in_backup not in (voting_order, voting_order[::-1])


def _no_dead_ballot_versions(conn: Any) -> None:
    """PostgreSQL keeps deleted and updated row versions in the table's pages until vacuumed:
    every version in the ballot tables' pages must be a live one (written once, never
    rewritten), so no older order of the ballots survives there."""
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except Exception:  # noqa: BLE001 - a server without the extension or the right
        pytest.skip("pageinspect is not available to read the raw table pages")
    for table in ("election_ballot", "election_ballot_choice"):
        live = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        pages = conn.execute(
            text("SELECT pg_relation_size(:t) / current_setting('block_size')::int"),
            {"t": table},
        ).scalar_one()
        versions = 0
        for page in range(pages):
            versions += conn.execute(
                text(
                    "SELECT count(*) FROM heap_page_items(get_raw_page(:t, :p))"
                    " WHERE t_data IS NOT NULL"
                ),
                {"t": table, "p": page},
            ).scalar_one()
        assert versions == live, table


def test_no_backup_links_an_anonymous_answer_to_its_person(engine, tmp_path):
    url = str(engine.url.render_as_string(hide_password=False))
    with Session(engine) as session:
        house = make_house(session)
        boss = make_staff(session, StaffKind.management)
        people = [make_resident(session, house).id for _ in range(VOTERS)]
        survey = surveys_service.create_survey(
            session,
            SurveyCreate(
                title="Viihtyvyys",
                audience=Audience.all_residents,
                opens_on=TODAY - timedelta(days=1),
                closes_on=TODAY + timedelta(days=2),
                live_results=True,
                questions="scale: Viihdytkö?\ntext: Mitä parantaisit?",
            ),
            load_principal(session, boss, TODAY),
        )
        survey_id = survey.id
        question_ids = [q.id for q in surveys_service.questions(session, survey)]
        session.commit()
    texts = [f"vastaus-{n:02d}-" + "x" * (n * 37) for n in range(VOTERS)]
    for n, person_id in enumerate(people):
        with Session(engine) as session:
            survey = surveys_service.get_survey(session, survey_id)
            form = {f"q{question_ids[0]}": [str(1 + n % 5)], f"q{question_ids[1]}": [texts[n]]}
            person = session.get(Person, person_id)
            assert person is not None
            surveys_service.answer(
                session, survey, load_principal(session, person, TODAY), form, TODAY
            )
            session.commit()

    # While the survey is open: no answer in the clear in a backup or the live files, though
    # the live results (read with the portal's secret key) have them all.
    during = tmp_path / "during.backup"
    run("backup", str(during))
    for blob in (_readable(url, during), _live_files(url)):
        assert _order_in(blob, texts) == []
    with Session(engine) as session:
        survey = surveys_service.get_survey(session, survey_id)
        given = sorted(t for _q, _v, t in surveys_service.answers(session, survey) if t)
        assert given == sorted(texts)

    # Closed: the answers are opened in one batch, in a random order.
    with Session(engine) as session:
        assert surveys_service.open_due(session, TODAY + timedelta(days=3)) == VOTERS
        session.commit()
    answering_order = list(range(VOTERS))
    with engine.connect() as conn:
        stored = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT text FROM survey_answer WHERE text IS NOT NULL"
                    f" ORDER BY {_physical(url)}"
                )
            )
        ]
        physical = [texts.index(t) for t in stored]
        assert sorted(physical) == answering_order
        assert physical not in (answering_order, answering_order[::-1])
    after = tmp_path / "after.backup"
    run("backup", str(after))
    in_backup = _order_in(_readable(url, after), texts)
    assert sorted(in_backup) == answering_order
    assert in_backup not in (answering_order, answering_order[::-1])


def test_a_stolen_database_cannot_open_the_seals(engine):
    """Everything the database holds does not open a sealed ballot: the locked key needs the
    counting key, which is never stored."""
    world = _world(engine)
    with Session(engine) as session:
        election = elections_service.get_election(session, world.election)
        voting.cast_vote(
            session, election, world.chairs[0], world.houses[0], world.candidates[:1], TODAY
        )
        session.commit()
        stored = election.locked_private_key
        assert stored is not None and world.key not in str(election.model_dump())
        for guess in ("", "0" * 24, election.ballot_public_key or "", str(election.id)):
            with pytest.raises(sealing.WrongKey):
                sealing.unlock(stored, guess)
        sealed = session.exec(select(ElectionSealedBallot)).one()
        private = sealing.unlock(stored, world.key)
        assert sealing.open_sealed(private, sealed.sealed)["marks"] == world.candidates[:1]
