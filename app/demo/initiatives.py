"""Demo initiatives and cooperation forum sessions, relative to the day the demo is loaded.

Initiatives are filed and moved through the lifecycle by the initiative service itself, as the
demo people, at moments in the past: their history, followers and notifications are real. Forum
sessions are written with the models directly. An initiative whose title exists already is left
alone, and a past (or an upcoming) forum session is added only if there is none, so loading twice
adds nothing.
"""

# Over 400 lines on purpose: the scripts below are data, one story per initiative read top to
# bottom; split, a story would scatter.

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.demo import plan as demo_plan
from app.errors import DomainError
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.houses import House
from app.models.initiatives import (
    AnswerInput,
    EvaluationInput,
    Initiative,
    InitiativeCreate,
    Outcome,
    Scope,
)
from app.models.participation import Participation
from app.models.people import Person
from app.services.access.roles import Principal, load_principal
from app.services.initiatives import records as initiatives_service
from app.services.initiatives import transitions

log = logging.getLogger(__name__)

# Who acts in the scripts: the demo logins, and two more Haso-yte members found in the plan.
AINO = "aino.virtanen@demo.example"
HODAN = "hodan.warsame@demo.example"
ERIK = "erik.lindholm@demo.example"
JUHA = "juha.makinen@demo.example"
MARKKU = "markku.salonen@demo.example"
YTE_2 = "yte:2"
YTE_3 = "yte:3"
HOUSE = "HASO-001"


@dataclass(frozen=True)
class Step:
    """One lifecycle move, some days before the load day."""

    days_ago: int
    action: str
    actor: str
    note: str = ""
    assignee: str | None = None
    outcome: Outcome | None = None
    answer: str = ""
    rating: int | None = None
    hour: int = 10  # Helsinki time


# The past forum session: 21 days before the load day, 17-19. Its minutes are recorded at its
# end, which (as the forum service does) answers the training initiative with the decision.
FORUM_DAYS_AGO = 21
FORUM_HOUR = 17
MINUTES_HOUR = 19
TRAINING_DECISION = (
    "Yhteistyöfoorumissa sovitun mukaisesti yhtiö järjestää ensi vuonna kaksi koulutusta "
    "puheenjohtajille. Laajempi ohjelma valmistellaan Haso-yten kanssa."
)


@dataclass(frozen=True)
class Script:
    """An initiative: who files it, where, when, and the moves it has gone through."""

    title: str
    body: str
    participation: Participation
    filer: str
    house: str | None  # a house code; None: company level
    days_ago: int
    steps: tuple[Step, ...] = field(default_factory=tuple)


SCRIPTS: tuple[Script, ...] = (
    Script(
        "Pihan valaistuksen parantaminen",
        "Pihan kävelyteiden ja pyörätelineiden valaistus on syksyisin ja talvisin puutteellinen. "
        "Ehdotamme liiketunnistimilla varustettuja LED-valaisimia pihakäytäville.",
        Participation.initiative,
        AINO,
        HOUSE,
        130,
        (
            Step(125, "submit", AINO),
            Step(120, "receive", JUHA),
            Step(
                85,
                "answer",
                JUHA,
                outcome=Outcome.accepted,
                answer="Valaistus uusitaan kesän aikana. Urakoitsija asentaa kuusi uutta "
                "LED-valaisinta liiketunnistimin; kustannus katetaan korjausbudjetista.",
            ),
            Step(30, "implement", JUHA, note="Valaisimet asennettu ja tarkastettu."),
        ),
    ),
    Script(
        "Pyörävaraston laajentaminen",
        "Pyörävarasto on jatkuvasti täynnä ja pyöriä säilytetään porraskäytävissä. Toivomme, "
        "että laajennusta suunnitellaan yhdessä asukkaiden kanssa.",
        Participation.planning,
        AINO,
        HOUSE,
        85,
        (
            Step(80, "submit", AINO),
            Step(75, "receive", JUHA),
            Step(70, "assign", JUHA, assignee=JUHA, note="Selvitän tilavaihtoehdot."),
        ),
    ),
    Script(
        "Kerhohuoneen varauskalenteri portaaliin",
        "Kerhohuoneen varaukset tehdään nyt paperilistalla ilmoitustaululla. Ehdotamme, että "
        "varaustilanne näkyisi asukkaille ajantasaisesti.",
        Participation.information,
        AINO,
        HOUSE,
        7,
        (Step(5, "submit", AINO),),
    ),
    Script(
        "Saunavuorojen uudelleenjako",
        "Yhteissaunan vuorot jaettiin vuosia sitten. Asukaskokous voisi päättää uudesta jaosta, "
        "jotta myös uudet asukkaat saisivat vuoron.",
        Participation.decision,
        HODAN,
        HOUSE,
        3,
    ),
    Script(
        "Leikkipaikan hiekkalaatikon uusiminen",
        "Leikkipaikan hiekkalaatikon reunat ovat lahonneet ja hiekka on likaista. Voisiko "
        "asukastoimikunta viedä asian eteenpäin?",
        Participation.initiative,
        ERIK,
        HOUSE,
        12,
    ),
    Script(
        "Lisää jäteastioita biojätteelle",
        "Biojäteastiat täyttyvät ennen tyhjennyspäivää. Ehdotamme yhtä lisäastiaa ja "
        "asukkaiden talkoita jätekatoksen siistimiseen.",
        Participation.implementation,
        AINO,
        HOUSE,
        420,
        (
            Step(415, "submit", AINO),
            Step(410, "receive", JUHA),
            Step(
                380,
                "answer",
                JUHA,
                outcome=Outcome.accepted,
                answer="Lisäastia tilataan, ja talkoot pidetään toukokuussa.",
            ),
            Step(350, "implement", JUHA),
            Step(
                300,
                "evaluate",
                AINO,
                rating=4,
                answer="Astiat riittävät nyt. Talkoisiin osallistui 20 asukasta.",
            ),
        ),
    ),
    Script(
        "Asukastoimikuntien koulutusohjelma",
        "Haso-yte esittää, että yhtiö laatii asukastoimikunnille vuosittaisen koulutusohjelman: "
        "talousarvion lukeminen, kokouskäytännöt ja yhteisölliset tapahtumat.",
        Participation.planning,
        AINO,
        None,
        62,
        (
            Step(60, "submit", AINO),
            Step(55, "receive", MARKKU),
            Step(
                FORUM_DAYS_AGO,
                "answer",
                MARKKU,
                outcome=Outcome.partly_accepted,
                answer=TRAINING_DECISION,
                hour=MINUTES_HOUR,
            ),
        ),
    ),
    Script(
        "Energiankulutuksen seurantaraportit taloille",
        "Haso-yte ehdottaa, että jokaisen talon lämmön- ja sähkönkulutus julkaistaan "
        "asukastoimikunnille neljännesvuosittain, jotta säästötoimia voidaan seurata.",
        Participation.information,
        YTE_2,
        None,
        12,
        (Step(10, "submit", YTE_2), Step(8, "receive", MARKKU)),
    ),
    Script(
        "Talousarvioprosessin arviointikysely",
        "Ehdotamme kyselyä puheenjohtajille talousarvioprosessin toimivuudesta.",
        Participation.evaluation,
        YTE_3,
        None,
        200,
        (
            Step(198, "submit", YTE_3),
            Step(190, "withdraw", YTE_3, note="Yhtiö tekee kyselyn jo osana vuosikelloa."),
        ),
    ),
)


def _at(day: date, days_ago: int, hour: int = 12) -> datetime:
    """A moment some days before the load day, at a Helsinki hour, in UTC."""
    return datetime.combine(day - timedelta(days=days_ago), time(hour), tzinfo=demo_plan.HELSINKI)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class _Cast:
    """The demo people as principals of the load day, by email or YTE_n."""

    def __init__(
        self, session: Session, plan: demo_plan.Plan, people: dict[str, Person], day: date
    ):
        self.session, self.people, self.day = session, people, day
        others = [email for email, _code, _chair in plan.yte_members if email != AINO]
        others += [AINO, AINO]  # a smaller body: Aino files the others' initiatives too
        self.aliases = {YTE_2: others[0], YTE_3: others[1]}
        self._principals: dict[str, Principal] = {}

    def person(self, who: str) -> Person:
        """The person behind an email or an alias."""
        return self.people[self.aliases.get(who, who)]

    def principal(self, who: str) -> Principal:
        """The person's roles on the load day."""
        email = self.aliases.get(who, who)
        if email not in self._principals:
            self._principals[email] = load_principal(self.session, self.people[email], self.day)
        return self._principals[email]


def load(
    session: Session,
    plan: demo_plan.Plan,
    people: dict[str, Person],
    houses: dict[str, House],
    added: dict[str, int],
    today: date | None = None,
) -> None:
    """Add the demo initiatives and forum sessions that are missing; counts go to added."""
    day = today or datetime.now(demo_plan.HELSINKI).date()
    cast = _Cast(session, plan, people, day)
    titles = [s.title for s in SCRIPTS]
    existing = set(session.exec(select(Initiative.title).where(col(Initiative.title).in_(titles))))
    for script in SCRIPTS:
        if script.title in existing:
            continue
        try:
            with session.begin_nested():
                _play(session, script, cast, houses, day)
        except DomainError as exc:
            # The roles of the day may not allow a move (e.g. a committee not in office):
            # the demo goes on without this initiative.
            log.info("demo initiative %r left out: %r", script.title, exc)
            continue
        added["initiatives"] = added.get("initiatives", 0) + 1
    _forum(session, cast, day, added)


def _play(
    session: Session, script: Script, cast: _Cast, houses: dict[str, House], day: date
) -> Initiative:
    house_id = houses[script.house].id if script.house else None
    data = InitiativeCreate(
        scope=Scope.house if script.house else Scope.company,
        house_id=house_id,
        title=script.title,
        body=script.body,
        participation=script.participation,
    )
    initiative = initiatives_service.create(
        session, data, cast.principal(script.filer), _utc(_at(day, script.days_ago, 18))
    )
    for step in script.steps:
        answer = evaluation = None
        if step.action == "answer":
            assert step.outcome is not None
            answer = AnswerInput(outcome=step.outcome, answer=step.answer)
        if step.action == "evaluate":
            evaluation = EvaluationInput(rating=step.rating or 3, comment=step.answer)
        transitions.transition(
            session,
            initiative,
            step.action,
            cast.principal(step.actor),
            _utc(_at(day, step.days_ago, step.hour)),
            note=step.note,
            assignee_id=cast.person(step.assignee).id if step.assignee else None,
            answer=answer,
            evaluation=evaluation,
        )
    return initiative


def _initiative_id(session: Session, title: str) -> int | None:
    return session.exec(select(Initiative.id).where(Initiative.title == title)).first()


def _forum(session: Session, cast: _Cast, day: date, added: dict[str, int]) -> None:
    """A past session with its minutes, and an upcoming one whose agenda is being built."""
    noon = _utc(_at(day, 0))
    starts = list(session.exec(select(ForumSession.starts_at)))
    markku = cast.person(MARKKU).id
    if not any(s < noon for s in starts):
        past = ForumSession(
            title="Yhteistyöfoorumi",
            starts_at=_utc(_at(day, FORUM_DAYS_AGO, FORUM_HOUR)),
            place="Haso, Sturenkatu 4, kokoushuone Aurora",
            participation=Participation.planning,
            agenda_published_at=_utc(_at(day, 32, 9)),
            minutes_published_at=_utc(_at(day, 18, 9)),
            created_by_id=markku,
            created_at=_utc(_at(day, 45, 9)),
            updated_at=_utc(_at(day, 18, 9)),
        )
        _add_session(session, past, _past_items(session, markku, day), added)
    if not any(s >= noon for s in starts):
        upcoming = ForumSession(
            title="Yhteistyöfoorumi",
            starts_at=_utc(_at(day, -40, 17)),
            place="Haso, Sturenkatu 4, kokoushuone Aurora",
            remote_link="https://teams.example/haso-yhteistyofoorumi",
            participation=Participation.planning,
            created_by_id=markku,
            created_at=_utc(_at(day, 2, 9)),
            updated_at=_utc(_at(day, 2, 9)),
        )
        items = [
            AgendaItem(
                session_id=0,
                kind=ItemKind.theme,
                title="Kiinteistöhuollon kilpailutuksen valmistelu",
                description="Kilpailutuksen laatuvaatimukset ja asukkaiden palautteen käyttö.",
                presenter="Markku Salonen",
                planned_minutes=30,
                participation=Participation.planning,
            ),
            AgendaItem(
                session_id=0,
                kind=ItemKind.other,
                title="Yhteinen tiedotussuunnitelma",
                description="Miten foorumin päätöksistä kerrotaan taloille.",
                presenter="Haso-yte",
                planned_minutes=20,
                participation=Participation.information,
            ),
        ]
        queued = _initiative_id(session, "Energiankulutuksen seurantaraportit taloille")
        if queued is not None:
            items.insert(
                0,
                AgendaItem(
                    session_id=0,
                    kind=ItemKind.initiative,
                    initiative_id=queued,
                    title="Energiankulutuksen seurantaraportit taloille",
                    presenter="Haso-yte",
                    planned_minutes=20,
                    participation=Participation.initiative,
                ),
            )
        _add_session(session, upcoming, items, added)


def _past_items(session: Session, markku: int | None, day: date) -> list[AgendaItem]:
    recorded = _utc(_at(day, FORUM_DAYS_AGO, MINUTES_HOUR))
    items = [
        AgendaItem(
            session_id=0,
            kind=ItemKind.budget,
            title="Ensi vuoden talousarvioiden valmistelun aikataulu",
            description="Talousarvioinfojen ajankohdat ja asukastoimikuntien lausunnot.",
            presenter="Markku Salonen",
            planned_minutes=30,
            participation=Participation.planning,
            discussion="Haso-yte toivoi, että talokohtaiset luonnokset ovat nähtävillä kaksi "
            "viikkoa ennen talousarvioinfoa.",
            decision="Aikataulu hyväksyttiin Haso-yten toivein.",
            outcome=Outcome.accepted,
            recorded_at=recorded,
        ),
        AgendaItem(
            session_id=0,
            kind=ItemKind.theme,
            title="Asukastyytyväisyyskyselyn tulokset",
            description="Kyselyn tulokset talotyypeittäin ja jatkotoimet.",
            presenter="Helena Lindqvist",
            planned_minutes=25,
            participation=Participation.evaluation,
            discussion="Tyytyväisyys siivoukseen on laskenut kahdessa talossa.",
            decision="Isännöitsijät käyvät tulokset läpi asukastoimikuntien kanssa.",
            follow_up="Tulokset käsitellään jokaisessa talossa",
            follow_up_owner_id=markku,
            follow_up_due=day + timedelta(days=30),
            recorded_at=recorded,
        ),
    ]
    training = _initiative_id(session, "Asukastoimikuntien koulutusohjelma")
    if training is not None:
        items.insert(
            0,
            AgendaItem(
                session_id=0,
                kind=ItemKind.initiative,
                initiative_id=training,
                title="Asukastoimikuntien koulutusohjelma",
                presenter="Aino Virtanen",
                planned_minutes=30,
                participation=Participation.initiative,
                discussion="Koulutustarve on suurin talousarvioiden lukemisessa.",
                decision=TRAINING_DECISION,
                outcome=Outcome.partly_accepted,
                follow_up="Koulutuskalenteri julkaistaan portaalissa",
                follow_up_owner_id=markku,
                follow_up_due=day + timedelta(days=45),
                recorded_at=recorded,
            ),
        )
    return items


def _add_session(
    session: Session, forum_session: ForumSession, items: list[AgendaItem], added: dict[str, int]
) -> None:
    session.add(forum_session)
    session.flush()
    assert forum_session.id is not None
    for position, item in enumerate(items, start=1):
        item.session_id = forum_session.id
        item.position = position
    session.add_all(items)
    session.flush()
    added["forum sessions"] = added.get("forum sessions", 0) + 1
    added["agenda items"] = added.get("agenda items", 0) + len(items)
