"""Resident meeting pages: convene, invite, record the minutes, list a house's meetings."""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import policies
from app.config import get_settings
from app.db import get_bind
from app.deps import CurrentUser, FormData, SessionDep, today
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _, get_language, ngettext
from app.jinja import fmt_date
from app.models.houses import House
from app.models.meetings import MeetingForm, MeetingMinutes, ResidentMeeting
from app.models.people import Language
from app.models.types import to_utc, utcnow
from app.services.bodies import demands as demands_service
from app.services.bodies import houses as houses_service
from app.services.bodies import meeting_notices, notices
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service
from app.services.mail import reach as mail_reach
from app.templating import confirm_send, render

UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT

router = APIRouter()


def get_viewable_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """The house whose meetings the user may see; 404 or 403 otherwise."""
    house = houses_service.get(session, house_id)
    if not policies.can_view_meetings(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_organisable_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """The house for which the user may convene a meeting; 404 or 403 otherwise."""
    house = houses_service.get(session, house_id)
    if not policies.can_organise_meeting(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_viewable_meeting(
    meeting_id: int, user: CurrentUser, session: SessionDep
) -> ResidentMeeting:
    """A meeting the user may see; 404 or 403 otherwise."""
    meeting = meetings_service.get(session, meeting_id)
    if not policies.can_view_meetings(user, meeting.house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return meeting


def get_organisable_meeting(
    meeting_id: int, user: CurrentUser, session: SessionDep
) -> ResidentMeeting:
    """A meeting the user may send the invitation of and record the minutes of."""
    meeting = meetings_service.get(session, meeting_id)
    if not policies.can_organise_meeting(user, meeting.house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return meeting


ViewableHouse = Annotated[House, Depends(get_viewable_house)]
OrganisableHouse = Annotated[House, Depends(get_organisable_house)]
ViewableMeeting = Annotated[ResidentMeeting, Depends(get_viewable_meeting)]
OrganisableMeeting = Annotated[ResidentMeeting, Depends(get_organisable_meeting)]
Bind = Annotated[Engine, Depends(get_bind)]


@router.get("/houses/{house_id}/meetings", name="house_meetings")
def list_meetings(
    request: Request, session: SessionDep, user: CurrentUser, house: ViewableHouse
) -> Response:
    """A house's resident meetings, newest first."""
    assert house.id is not None
    meetings = meetings_service.list_for_house(session, house.id)
    return render(
        request, "meetings/list.html", {"house": house, "meetings": meetings, "now": utcnow()}
    )


def _new_form(
    request: Request,
    session: SessionDep,
    house: House,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert house.id is not None
    context = {
        "house": house,
        "values": values,
        "errors": errors or {},
        "notice_days": get_settings().meeting_notice_days,
        # The residents' due demands this meeting answers: their matters go on its agenda.
        "demands": [d for d, _house in demands_service.open_due(session, [house.id])],
    }
    return render(request, "meetings/new.html", context, status_code=status_code)


@router.get("/houses/{house_id}/meetings/new", name="new_meeting")
def new_meeting_form(
    request: Request, session: SessionDep, user: CurrentUser, house: OrganisableHouse
) -> Response:
    """The form for convening a resident meeting; the matters of the residents' due demands
    start its agenda."""
    assert house.id is not None
    day = today()
    demanded = [d for d, _house in demands_service.open_due(session, [house.id])]
    values = {
        "invitation_on": day.isoformat(),
        "starts_on": (day + timedelta(days=21)).isoformat(),
        "starts_time": "18:00",
        "agenda": demands_service.agenda_prefill(demanded),
    }
    return _new_form(request, session, house, values)


@router.post("/houses/{house_id}/meetings/new")
def create_meeting(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: OrganisableHouse,
    background: BackgroundTasks,
    bind: Bind,
    form: FormData,
) -> Response:
    """Convene the meeting; the invitation goes out now if its day is today, after the page has
    shown whom it reaches and the organiser has confirmed."""
    values = dict(form)
    assert house.id is not None
    try:
        data = parse(MeetingForm, values)
        meeting_data = data.to_create()
        if meeting_data.invitation_on == today() and not form.get("confirmed"):
            meetings_service.check_new(meeting_data, today())
            hidden = {k: v for k, v in values.items() if k not in ("csrf_token", "confirmed")}
            return _confirm_invitation(request, session, house, meeting_data.starts_at, hidden)
        meeting = meetings_service.create(session, house.id, meeting_data, user.id, today())
    except ValidationFailed as exc:
        return _new_form(
            request, session, house, values, exc.errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    background.add_task(mail_service.send_pending, bind)
    return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)


def _detail(
    request: Request,
    session: SessionDep,
    meeting: ResidentMeeting,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    context = {
        "meeting": meeting,
        "house": houses_service.get(session, meeting.house_id),
        "reach": meeting_notices.reach_sent(session, meeting),
        "committees": meetings_service.committees_elected(session, meeting.id or 0),
        "demands": demands_service.answered_by(session, meeting.id or 0),
        "started": meetings_service.has_started(meeting, now),
        "deadline": meetings_service.invitation_deadline(meeting.starts_at),
        "today": today(),
        "errors": errors or {},
    }
    return render(request, "meetings/detail.html", context, status_code=status_code)


@router.get("/meetings/{meeting_id}", name="meeting")
def meeting_page(
    request: Request, session: SessionDep, user: CurrentUser, meeting: ViewableMeeting
) -> Response:
    """A meeting: time, place, agenda, invitation, minutes, the committee it elected."""
    return _detail(request, session, meeting)


def _channels(reach: notices.Reach) -> str:
    """How the invitation reaches the apartments, in a sentence for the confirmation."""
    return _(
        "By email at once: %(people)s %(in_apartments)s. On paper: a letter %(to_apartments)s "
        "that no email reaches, to print from the meeting's page.",
        people=ngettext("%(num)s person", "%(num)s people", reach.email_people),
        in_apartments=ngettext(
            "in %(num)s apartment", "in %(num)s apartments", reach.email_apartments
        ),
        to_apartments=ngettext(
            "to %(num)s apartment", "to each of %(num)s apartments", reach.paper_apartments
        ),
    )


def _confirm_invitation(
    request: Request,
    session: SessionDep,
    house: House,
    starts_at: datetime,
    hidden: dict[str, Any],
    action: str = "",
) -> Response:
    """Whom the meeting's invitation reaches, and by which channel, before it goes."""
    assert house.id is not None
    reach, people = meeting_notices.reach_now(session, house.id, today())
    return confirm_send(
        request,
        heading=_("Confirm the invitation"),
        what=_(
            "The invitation to the resident meeting of %(house)s on %(date)s",
            house=house.name,
            date=fmt_date(to_utc(starts_at), "long"),
        ),
        reach=mail_reach.of_people(people),
        channel=_channels(reach),
        action=action or f"/houses/{house.id}/meetings/new",
        button=ngettext(
            "Send the invitation to %(num)s person",
            "Send the invitation to %(num)s people",
            len({p.id for p in people}),
        ),
        back=f"/houses/{house.id}",
        hidden=hidden,
    )


@router.post("/meetings/{meeting_id}/send-invitation", name="send_meeting_invitation")
def send_invitation(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisableMeeting,
    background: BackgroundTasks,
    bind: Bind,
    form: FormData,
) -> Response:
    """Send the invitation at once, while it still gives the legal notice; confirmed first."""
    if not form.get("confirmed"):
        try:
            meetings_service.check_invitation(meeting, today())
        except ValidationFailed as exc:
            return _detail(request, session, meeting, exc.errors, UNPROCESSABLE)
        house = houses_service.get(session, meeting.house_id)
        action = f"/meetings/{meeting.id}/send-invitation"
        return _confirm_invitation(request, session, house, meeting.starts_at, {}, action)
    try:
        meetings_service.send_invitation(session, meeting, user.id, today())
    except ValidationFailed as exc:
        return _detail(request, session, meeting, exc.errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    background.add_task(mail_service.send_pending, bind)
    return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)


def _pdf(content: bytes, filename: str) -> Response:
    """A PDF to download; names and addresses: never kept by a cache."""
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/meetings/{meeting_id}/invitation-letters.pdf", name="meeting_invitation_letters")
def invitation_letters(
    session: SessionDep, user: CurrentUser, meeting: OrganisableMeeting
) -> Response:
    """Every letter of the sent invitation in one PDF to print, one letter per page: to each
    apartment no email reached, as recorded when it went. 404 when there is none."""
    content = meeting_notices.letters_pdf(session, meeting, today())
    if content is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    house = houses_service.get(session, meeting.house_id)
    return _pdf(content, meeting_notices.filename(house, meeting, "invitation-letters"))


@router.get("/meetings/{meeting_id}/notice-board.pdf", name="meeting_notice_board")
def notice_board(
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisableMeeting,
    language: Annotated[Language | None, Query()] = None,
) -> Response:
    """The invitation as an A4 sheet in large print for the staircase, in a language (the
    page's own unless one is asked for)."""
    lang = language.value if language else get_language()
    content = meeting_notices.notice_board_pdf(session, meeting, lang)
    house = houses_service.get(session, meeting.house_id)
    return _pdf(content, meeting_notices.filename(house, meeting, f"notice-board-{lang}"))


def _minutes_form(
    request: Request,
    session: SessionDep,
    meeting: ResidentMeeting,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    conflict: bool = False,
) -> Response:
    context = {
        "meeting": meeting,
        "house": houses_service.get(session, meeting.house_id),
        "values": values,
        "errors": errors or {},
        "conflict": conflict,
    }
    return render(request, "meetings/minutes.html", context, status_code=status_code)


@router.get("/meetings/{meeting_id}/minutes", name="meeting_minutes")
def minutes_form(
    request: Request, session: SessionDep, user: CurrentUser, meeting: OrganisableMeeting
) -> Response:
    """The form for the minutes and decisions."""
    values = {
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "version": meeting.version,
    }
    return _minutes_form(request, session, meeting, values)


@router.post("/meetings/{meeting_id}/minutes")
def save_minutes(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisableMeeting,
    form: FormData,
) -> Response:
    """Save the minutes; a stale form is shown again with the typed text kept."""
    values: dict[str, Any] = dict(form)
    try:
        data = parse(MeetingMinutes, values)
        meetings_service.record_minutes(session, meeting, data, user.id)
    except ValidationFailed as exc:
        return _minutes_form(
            request, session, meeting, values, exc.errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    except Conflict:
        message = _(
            "Someone else saved the minutes in the meantime. Your text is kept below: compare "
            "it with the saved version and save again."
        )
        # The form now carries the saved version, so saving again is a deliberate overwrite.
        values["version"] = meeting.version
        return _minutes_form(
            request,
            session,
            meeting,
            values,
            {"": message},
            status.HTTP_409_CONFLICT,
            conflict=True,
        )
    return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)
