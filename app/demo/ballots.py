"""Demo elections, relative to the day the demo is loaded: a board-member nomination that has
been counted, and the Haso-yte election of the calendar's coming election event. Written by the
election service itself, so candidates, ballots, receipts and results are real. Loading twice
adds nothing (an election whose title exists already is left alone)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.models.ballots import Election, ElectionCreate, ElectionPurpose
from app.models.calendar import Audience
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import Residency
from app.models.people import Person, StaffKind, StaffRole
from app.models.surveys import Survey, SurveyCreate
from app.services.access.roles import load_principal
from app.services.ballots import counting, voting
from app.services.ballots import elections as elections_service
from app.services.ballots import surveys as surveys_service
from app.services.bodies import yte as yte_service

PAST_TITLE = "Asukasjäsenehdokkaiden nimeäminen (esimerkki)"
OPEN_SURVEY = "Asukastyytyväisyyskysely (esimerkki)"
CLOSED_SURVEY = "Talon siivouksen arviointi (esimerkki)"
SATISFACTION = "\n".join(
    [
        "scale: Kuinka tyytyväinen olet asumiseen talossasi?",
        "scale: Kuinka tyytyväinen olet huoltoon ja siivoukseen?",
        "single: Suosittelisitko taloasi ystävällesi? | Kyllä | Ei | En osaa sanoa",
        "text: Mitä pitäisi tehdä paremmin?",
    ]
)


def _chairs(session: Session, on: date) -> list[tuple[int, int]]:
    """(person, house) of the committees' chairs on a day, in house order."""
    rows = session.exec(
        select(CommitteeMember.person_id, ResidentCommittee.house_id)
        .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
        .where(
            CommitteeMember.position == Position.chair,
            col(ResidentCommittee.term_start) <= on,
            col(ResidentCommittee.term_end) >= on,
        )
        .order_by(col(ResidentCommittee.house_id))
    ).all()
    return [(p, h) for p, h in rows if yte_service.is_sitting_chair(session, p, h, on)]


def load(session: Session, added: dict[str, int], today: date) -> None:
    """The demo elections that are missing."""
    missing = session.exec(select(Election.id).where(Election.title == PAST_TITLE)).first() is None
    if missing and _past_nomination(session, today):
        added["elections"] = added.get("elections", 0) + 1
    events = elections_service.election_events(session, today)
    if (
        events
        and session.exec(select(Election.id).where(Election.purpose == ElectionPurpose.yte)).first()
        is None
    ):
        elections_service.create_from_event(session, events[0], None, today)
        added["elections"] = added.get("elections", 0) + 1
    added["surveys"] = added.get("surveys", 0) + _surveys(session, today)


def _surveys(session: Session, today: date) -> int:
    """An open satisfaction survey for all residents and a closed one of a house, answered."""
    boss = session.exec(
        select(Person)
        .join(StaffRole, col(StaffRole.person_id) == Person.id)
        .where(StaffRole.kind == StaffKind.management)
        .order_by(col(Person.id))
    ).first()
    if boss is None:
        return 0
    made = 0
    titles = set(session.exec(select(Survey.title)))
    creator = load_principal(session, boss, today)
    if OPEN_SURVEY not in titles:
        surveys_service.create_survey(
            session,
            SurveyCreate(
                title=OPEN_SURVEY,
                audience=Audience.all_residents,
                opens_on=today - timedelta(days=3),
                closes_on=today + timedelta(days=25),
                questions=SATISFACTION,
            ),
            creator,
        )
        made += 1
    if CLOSED_SURVEY in titles:
        return made
    house_id = session.exec(select(Residency.house_id).order_by(col(Residency.id))).first()
    if house_id is None:
        return made
    answered_on = today - timedelta(days=20)
    survey = surveys_service.create_survey(
        session,
        SurveyCreate(
            title=CLOSED_SURVEY,
            audience=Audience.house_residents,
            house_id=house_id,
            opens_on=today - timedelta(days=30),
            closes_on=today - timedelta(days=10),
            questions="scale: Kuinka tyytyväinen olet porraskäytävien siisteyteen?\n"
            "multiple: Missä siivous on puutteellista? | Porraskäytävät | Pesutupa | Piha\n"
            "text: Muuta palautetta siivouksesta",
        ),
        creator,
    )
    questions = surveys_service.questions(session, survey)
    residents = session.exec(
        select(Person)
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(Residency.house_id == house_id)
        .order_by(col(Person.id))
    ).all()
    comments = ["Pesutupa voisi olla siistimpi.", "Hyvää työtä!", ""]
    for n, resident in enumerate(residents[:8]):
        values = {
            f"q{questions[0].id}": [str(2 + n % 4)],
            f"q{questions[1].id}": [str(n % 3)] + (["2"] if n % 2 else []),
            f"q{questions[2].id}": [comments[n % 3]],
        }
        surveys_service.answer(
            session, survey, load_principal(session, resident, answered_on), values, answered_on
        )
    surveys_service.set_shared(session, survey, True, boss.id or 0)
    return made + 1


def _past_nomination(session: Session, today: date) -> bool:
    """A counted board-member nomination: three candidates, the chairs' votes, the results."""
    nominated_on = today - timedelta(days=50)
    voted_on = today - timedelta(days=30)
    chairs = _chairs(session, nominated_on)
    voters = [c for c in chairs if c in _chairs(session, voted_on)]
    if len(chairs) < 3 or len(voters) < 3:
        return False
    election, counting_key = elections_service.create_election(
        session,
        ElectionCreate(
            purpose=ElectionPurpose.board_nomination,
            title=PAST_TITLE,
            description="Puheenjohtajat nimeävät asukasjäsenehdokkaat Hason hallitukseen.",
            seats=2,
            max_choices=2,
            nomination_opens_on=today - timedelta(days=60),
            nomination_closes_on=today - timedelta(days=40),
            voting_opens_on=today - timedelta(days=35),
            voting_closes_on=today - timedelta(days=28),
        ),
        None,
    )
    candidates = [
        elections_service.stand(
            session,
            election,
            person_id,
            house_id,
            "Olen toiminut asukastoimikunnan puheenjohtajana ja haluan viedä asukkaiden "
            "näkemykset hallitukseen.",
            nominated_on,
        )
        for person_id, house_id in chairs[:3]
    ]
    ids = [c.id for c in candidates if c.id is not None]
    for n, (person_id, house_id) in enumerate(voters):
        marked = [ids[n % 3], ids[(n + 1) % 3]] if n % 2 == 0 else [ids[n % 3]]
        voting.cast_vote(session, election, person_id, house_id, marked, voted_on)
    counted_at = datetime.combine(today - timedelta(days=27), time(9), tzinfo=UTC)
    counting.count(session, election, None, counting_key, now=counted_at)
    return True
