"""Demo residents without email: some households get the meeting invitations on paper.

Whole households are chosen (a letter goes to an apartment no email reaches), never anyone with
a demo login, a committee seat or a Haso-yte seat: those log in. The demo logins' house always
has a few such apartments, and every house's last invitation sent is recorded as it would have
gone (notices.py), so its meeting page shows both channels and the letters to print.
"""

import random
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.demo import plan as demo_plan
from app.models.houses import House
from app.models.meetings import ResidentMeeting
from app.models.types import local_date
from app.services.bodies import meetings as meetings_service
from app.services.bodies import notices

PAPER_SHARE = 0.2  # of the apartments whose people may go without email
SHOWCASE = "HASO-001"  # the demo logins' house
SHOWCASE_APARTMENTS = 2


def paper_people(plan: demo_plan.Plan) -> set[str]:
    """The plan keys (their would-be emails) of the residents who have no email in the demo."""
    people = demo_plan.seed_json("people.json")
    keep = {p["email"] for p in people["staff"] + people["residents"]}
    keep |= {e for h in plan.houses.values() for c in h.committees for e, _position in c.seats}
    keep |= {email for email, _code, _chair in plan.yte_members}
    keep |= {email for email, p in plan.people.items() if p.login}
    chosen: set[str] = set()
    # Such a person is found again by name and birth date when the demo is loaded again.
    seen: set[tuple[str, date | None]] = set()
    for code, house in plan.houses.items():
        households: dict[str, list[str]] = {}
        for email, apartment, _tenure, _since in house.residencies:
            households.setdefault(apartment, [])
            if email not in households[apartment]:
                households[apartment].append(email)
        candidates = [
            apartment
            for apartment, emails in sorted(households.items())
            if not set(emails) & keep
            and not {(plan.people[e].name, plan.people[e].birth_date) for e in emails} & seen
        ]
        rng = random.Random(f"{demo_plan.SEED}:paper:{code}")
        picked = [apartment for apartment in candidates if rng.random() < PAPER_SHARE]
        if code == SHOWCASE:
            picked = sorted(set(picked) | set(candidates[:SHOWCASE_APARTMENTS]))
        for apartment in picked:
            for email in households[apartment]:
                identity = (plan.people[email].name, plan.people[email].birth_date)
                if identity not in seen:
                    seen.add(identity)
                    chosen.add(email)
    return chosen


def record_last_invitations(
    session: Session, houses: dict[str, House], now: datetime, added: dict[str, int]
) -> None:
    """Record whom each house's last sent invitation reached, by channel, as on its day (the
    demo's meetings were never really sent); a meeting already recorded stays as it is."""
    ids = sorted(house.id for house in houses.values() if house.id is not None)
    sent = session.exec(
        select(ResidentMeeting)
        .where(
            col(ResidentMeeting.house_id).in_(ids),
            col(ResidentMeeting.invitation_sent_at).is_not(None),
            col(ResidentMeeting.invitation_sent_at) <= now,
        )
        .order_by(col(ResidentMeeting.starts_at).desc())
    )
    last: dict[int, ResidentMeeting] = {}
    for meeting in sent:
        last.setdefault(meeting.house_id, meeting)
    written = 0
    for house_id, meeting in sorted(last.items()):
        assert meeting.invitation_sent_at is not None
        day = local_date(meeting.invitation_sent_at)
        key = meetings_service.invitation_key(meeting)
        found = notices.households(session, house_id, day)
        written += len(notices.record(session, key, house_id, found, meeting.invitation_sent_at))
    added["notice recipients"] = added.get("notice recipients", 0) + written
