"""The annual calendar's default templates (the vuosikello of Haso's cooperation model).

Each default has a stable key, so loading them twice adds nothing; management edits them
afterwards like any other template (ensure_defaults never overwrites an existing one).
"""

from datetime import time
from typing import Any

from sqlmodel import Session, col, select

from app.models.calendar import Audience, EventKind, EventTemplate, Mode, YearRule
from app.models.participation import Participation
from app.services.calendar import generation as calendar_generation
from app.services.platform import audit

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, SATURDAY = 0, 1, 2, 3, 5
LAST = 5  # week 5: the last such weekday of the month

_BUDGET = {
    "kind": EventKind.event,
    "audience": Audience.all_chairs,
    "mode": Mode.online,
    "weekday": TUESDAY,
    "week": 3,
    "start_time": time(17, 30),
    "duration_minutes": 90,
    "invitation_days": 21,
    "reminder_days": 2,
}

DEFAULTS: list[dict[str, Any]] = [
    {
        **_BUDGET,
        "key": "budget-info-january",
        "months": "1",
        "participation": Participation.information,
        "title_fi": "Budjetti-info: talousarviotyön aloitus",
        "title_sv": "Budgetinfo: budgetarbetet inleds",
        "title_en": "Budget info: budgeting kick-off",
        "description_fi": "Puheenjohtajille: talousarviovuoden aikataulu ja miten "
        "asukastoimikunta osallistuu kotitalonsa talousarvion valmisteluun.",
        "description_sv": "För ordförandena: budgetårets tidtabell och hur boendekommittén "
        "deltar i beredningen av hemhusets budget.",
        "description_en": "For the chairs: the budget year's timetable and how the resident "
        "committee takes part in preparing its house's budget.",
    },
    {
        **_BUDGET,
        "key": "budget-info-june",
        "months": "6",
        "week": 2,
        "participation": Participation.planning,
        "title_fi": "Budjetti-info: talousarvioehdotukset",
        "title_sv": "Budgetinfo: budgetförslagen",
        "title_en": "Budget info: budget proposals",
        "description_fi": "Puheenjohtajille: kotitalojen talousarvio- ja "
        "käyttövastike-ehdotukset, joita asukastoimikunnat kommentoivat.",
        "description_sv": "För ordförandena: hemhusens budget- och bruksvederlagsförslag, "
        "som boendekommittéerna kommenterar.",
        "description_en": "For the chairs: the houses' budget and usage-charge proposals, "
        "for the resident committees to comment on.",
    },
    {
        **_BUDGET,
        "key": "budget-info-october",
        "months": "10",
        "participation": Participation.information,
        "title_fi": "Budjetti-info: vahvistetut talousarviot",
        "title_sv": "Budgetinfo: fastställda budgetar",
        "title_en": "Budget info: confirmed budgets",
        "description_fi": "Puheenjohtajille: vahvistetut talousarviot ja käyttövastikkeet, "
        "jotka tulevat voimaan 1.3.",
        "description_sv": "För ordförandena: de fastställda budgetarna och bruksvederlagen, "
        "som träder i kraft den 1 mars.",
        "description_en": "For the chairs: the confirmed budgets and usage charges, which take "
        "effect on 1 March.",
    },
    {
        "key": "spring-chairs-event",
        "kind": EventKind.event,
        "audience": Audience.all_chairs,
        "participation": Participation.planning,
        "mode": Mode.physical,
        "months": "4",
        "weekday": THURSDAY,
        "week": 2,
        "start_time": time(17, 0),
        "duration_minutes": 180,
        "place": "Haso, Sturenkatu 4",
        "registration": True,
        "capacity": 120,
        "invitation_days": 28,
        "reminder_days": 3,
        "title_fi": "Puheenjohtajien kevättapahtuma",
        "title_sv": "Ordförandenas vårevenemang",
        "title_en": "Spring chairs' event",
        "description_fi": "Ajankohtaiset asiat, kokemusten vaihto ja yhteinen iltapala.",
        "description_sv": "Aktuella frågor, erfarenhetsutbyte och kvällsmål tillsammans.",
        "description_en": "Current matters, sharing experiences and an evening snack together.",
    },
    {
        "key": "early-winter-chairs-seminar",
        "kind": EventKind.event,
        "audience": Audience.all_chairs,
        "participation": Participation.evaluation,
        "mode": Mode.physical,
        "months": "11",
        "weekday": SATURDAY,
        "week": 2,
        "start_time": time(10, 0),
        "duration_minutes": 300,
        "place": "Haso, Sturenkatu 4",
        "registration": True,
        "capacity": 100,
        "invitation_days": 28,
        "reminder_days": 3,
        "title_fi": "Puheenjohtajien alkutalven seminaari",
        "title_sv": "Ordförandenas förvinterseminarium",
        "title_en": "Early-winter chairs' seminar",
        "description_fi": "Kuluneen vuoden arviointi ja ensi vuoden yhteistyön teemat.",
        "description_sv": "Utvärdering av det gångna året och nästa års samarbetsteman.",
        "description_en": "Evaluating the past year and the themes of next year's cooperation.",
    },
    {
        "key": "residents-evening-webinar",
        "kind": EventKind.event,
        "audience": Audience.all_residents,
        "participation": Participation.information,
        "mode": Mode.online,
        "months": "3",
        "weekday": WEDNESDAY,
        "week": 3,
        "start_time": time(18, 0),
        "duration_minutes": 90,
        "registration": True,
        "capacity": 500,
        "invitation_days": 21,
        "reminder_days": 1,
        "title_fi": "Hasolaisten ilta: ajankohtaiswebinaari",
        "title_sv": "Hasobornas kväll: aktuellt webbinarium",
        "title_en": "Residents' evening: current-affairs webinar",
        "description_fi": "Kaikille asukkaille: Hason ajankohtaiset asiat ja kysymyksiä johdolle.",
        "description_sv": "För alla boende: aktuellt om Haso och frågor till ledningen.",
        "description_en": "For all residents: Haso's current affairs and questions to the "
        "management.",
    },
    {
        "key": "safety-evening",
        "kind": EventKind.event,
        "audience": Audience.all_residents,
        "participation": Participation.information,
        "mode": Mode.hybrid,
        "months": "9",
        "weekday": TUESDAY,
        "week": 4,
        "start_time": time(18, 0),
        "duration_minutes": 120,
        "place": "Haso, Sturenkatu 4",
        "invitation_days": 21,
        "reminder_days": 2,
        "title_fi": "Turvallisuusilta",
        "title_sv": "Säkerhetskväll",
        "title_en": "Safety evening",
        "description_fi": "Kaikille asukkaille: paloturvallisuus, kotivakuutus ja "
        "naapuriavun keinot.",
        "description_sv": "För alla boende: brandsäkerhet, hemförsäkring och grannhjälp.",
        "description_en": "For all residents: fire safety, home insurance and helping neighbours.",
    },
    {
        "key": "cooperation-forum",
        "kind": EventKind.forum,
        "audience": Audience.yte,
        "participation": Participation.planning,
        "mode": Mode.hybrid,
        "months": "2,5,8,11",
        "weekday": WEDNESDAY,
        "week": 2,
        "start_time": time(14, 0),
        "duration_minutes": 120,
        "place": "Haso, Sturenkatu 4",
        "invitation_days": 14,
        "reminder_days": 7,
        "title_fi": "Yhteistyöfoorumi",
        "title_sv": "Samarbetsforum",
        "title_en": "Cooperation forum",
        "description_fi": "Johto ja Haso-yte: Haso-yten aloitteet ja sovitut "
        "kehittämisteemat. Esityslista julkaistaan viimeistään viikkoa ennen.",
        "description_sv": "Ledningen och Haso-yte: Haso-ytes initiativ och överenskomna "
        "utvecklingsteman. Föredragningslistan publiceras senast en vecka före.",
        "description_en": "Management and Haso-yte: Haso-yte's initiatives and agreed themes. "
        "The agenda is published at least a week before.",
    },
    {
        "key": "resident-meeting",
        "kind": EventKind.resident_meeting,
        "audience": Audience.house_residents,
        "house_id": None,
        "participation": Participation.decision,
        "mode": Mode.physical,
        "months": "4",
        "weekday": TUESDAY,
        "week": 3,
        "start_time": time(18, 0),
        "duration_minutes": 120,
        "place": "Kerhohuone",
        "invitation_days": 21,
        "reminder_days": 2,
        "title_fi": "Asukaskokous",
        "title_sv": "Boendemöte",
        "title_en": "Resident meeting",
        "description_fi": "Talon vuosittainen asukaskokous: asukastoimikunnan valinta ja "
        "tapaaminen kohdevastaavan isännöitsijän kanssa. Kutsu vähintään kaksi viikkoa ennen.",
        "description_sv": "Husets årliga boendemöte: val av boendekommitté och möte med "
        "disponenten. Kallelsen senast två veckor före.",
        "description_en": "The house's yearly resident meeting: electing the resident "
        "committee and meeting the property manager. Invited at least two weeks before.",
    },
    {
        "key": "yte-election",
        "kind": EventKind.election,
        "audience": Audience.all_chairs,
        "participation": Participation.decision,
        "mode": Mode.hybrid,
        "months": "1",
        "years": YearRule.even,
        "weekday": THURSDAY,
        "week": LAST,
        "start_time": time(17, 30),
        "duration_minutes": 180,
        "place": "Haso, Sturenkatu 4",
        "registration": True,
        "capacity": 200,
        "invitation_days": 28,
        "reminder_days": 3,
        "title_fi": "Puheenjohtajien kokous: Haso-yten vaali",
        "title_sv": "Ordförandenas möte: val av Haso-yte",
        "title_en": "Chairs' meeting: Haso-yte election",
        "description_fi": "Puheenjohtajat valitsevat Haso-yten kymmenen jäsentä "
        "kahden vuoden kaudelle. Yksi ääni taloa kohden.",
        "description_sv": "Ordförandena väljer Haso-ytes tio medlemmar för en tvåårsperiod. "
        "En röst per hus.",
        "description_en": "The chairs elect Haso-yte's ten members for a two-year term. "
        "One vote per house.",
    },
    {
        "key": "chairs-newsletter",
        "kind": EventKind.chairs_newsletter,
        "audience": Audience.all_chairs,
        "participation": Participation.information,
        "mode": Mode.online,
        "months": ",".join(str(m) for m in range(1, 13)),
        "day": 5,
        "start_time": time(9, 0),
        "duration_minutes": 60,
        "invitation_days": 0,
        "reminder_days": 0,
        "title_fi": "Puheenjohtajaposti",
        "title_sv": "Ordförandeposten",
        "title_en": "Chairs' newsletter",
        "description_fi": "Kuukausittainen uutiskirje kaikille puheenjohtajille.",
        "description_sv": "Månatligt nyhetsbrev till alla ordförande.",
        "description_en": "The monthly newsletter to every chair.",
    },
    {
        "key": "residents-newsletter",
        "kind": EventKind.residents_newsletter,
        "audience": Audience.all_residents,
        "participation": Participation.information,
        "mode": Mode.online,
        "months": "3,6,9,12",
        "day": 10,
        "start_time": time(9, 0),
        "duration_minutes": 60,
        "invitation_days": 0,
        "reminder_days": 0,
        "title_fi": "Asukkaiden uutiskirje",
        "title_sv": "Nyhetsbrev till de boende",
        "title_en": "Residents' newsletter",
        "description_fi": "Uutiskirje kaikille sen tilanneille asukkaille, vähintään neljästi "
        "vuodessa.",
        "description_sv": "Nyhetsbrev till alla boende som prenumererar, minst fyra gånger "
        "om året.",
        "description_en": "The newsletter to every resident who subscribes, at least four "
        "times a year.",
    },
]


def template_values(default: dict[str, Any]) -> dict[str, Any]:
    """A default's column values (a weekday rule leaves the day of the month empty)."""
    values = dict(default)
    if values.get("weekday") is not None:
        values["day"] = None
    return values


def ensure_defaults(session: Session) -> list[EventTemplate]:
    """Add the default templates that are missing (matched by key); returns those added."""
    keys = [d["key"] for d in DEFAULTS]
    existing = set(session.exec(select(EventTemplate.key).where(col(EventTemplate.key).in_(keys))))
    added: list[EventTemplate] = []
    for default in DEFAULTS:
        if default["key"] in existing:
            continue
        template = EventTemplate(**template_values(default))
        calendar_generation.store_null_day(template)
        session.add(template)
        session.flush()
        audit.record(session, None, "create", template)
        added.append(template)
    return added
