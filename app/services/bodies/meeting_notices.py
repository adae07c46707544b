"""A resident meeting's invitation on paper: the letters to the apartments no email reaches and
the sheet for the staircase's notice board, as PDF.

Both are made on request from the meeting as it is stored and, for the letters, from the
recipients recorded when the invitation went (notices.py): the letters stay as sent when
residents move. Their text is the invitation mail's own (mail/_meeting_invitation.html), so
the mail, the letter and the sheet cannot say different things.
"""

from datetime import date

from markupsafe import Markup
from sqlmodel import Session

from app import i18n
from app.config import get_settings
from app.jinja import env
from app.models.houses import House
from app.models.meetings import ResidentMeeting
from app.models.people import Person
from app.models.types import local_date
from app.services.bodies import houses as houses_service
from app.services.bodies import meetings as meetings_service
from app.services.bodies import notices
from app.services.mail import rendering
from app.services.platform import pdf

LETTER_STYLES = ("print.css", "letter.css")
NOTICE_BOARD_STYLES = ("print.css", "notice_board.css")


def reach_now(session: Session, house_id: int, today: date) -> tuple[notices.Reach, list[Person]]:
    """Whom the invitation would reach if it went today, and those people (mailed or named on
    a letter), for the confirmation before it goes; nothing is written."""
    found = notices.preview(session, house_id, today)
    return notices.reach(found), [p for household in found for p in household.recipients]


def reach_sent(session: Session, meeting: ResidentMeeting) -> notices.Reach | None:
    """Whom the sent invitation reached, as recorded; None before it was sent (or when it
    went before the record was kept)."""
    return notices.recorded_reach(session, meetings_service.invitation_key(meeting))


def _meeting_url(meeting: ResidentMeeting) -> str:
    return f"{get_settings().base_url.rstrip('/')}/meetings/{meeting.id}"


def _signature() -> str:
    return rendering.signature(get_settings(), has_account=False)["signed_by"]


def letters_pdf(session: Session, meeting: ResidentMeeting, today: date) -> bytes | None:
    """All the invitation's letters in one PDF, each on a page of its own (on a sheet of its own,
    printed on both sides, when one is longer than a page), in its household's language; None
    when the invitation went to no apartment on paper."""
    found = notices.letters(session, meetings_service.invitation_key(meeting))
    if not found:
        return None
    house = houses_service.get(session, meeting.house_id)
    context = {
        "meeting": meeting,
        "house": house,
        "url": _meeting_url(meeting),
        "signed_by": _signature(),
        "sent_on": meeting.invitation_sent_at or today,
    }
    parts = []
    for letter in found:
        with i18n.use_language(letter.language):
            letter_html = env.get_template("meetings/_letter_pdf.html").render(
                letter=letter, **context
            )
        # Rendered with autoescape on: safe to put into the document as it is.
        parts.append(Markup(letter_html))  # noqa: S704
    template = env.get_template("meetings/letters_pdf.html")
    document = pdf.layout(
        template.render(letters=parts, house=house, meeting=meeting), *LETTER_STYLES
    )
    if len(document.pages) > len(parts):
        # A letter needs more than a page: each starts on a sheet of its own when printed on
        # both sides (an odd page), so no letter is printed on the back of another.
        document = pdf.layout(
            template.render(letters=parts, house=house, meeting=meeting, duplex=True),
            *LETTER_STYLES,
        )
    return pdf.write(document)


def notice_board_pdf(session: Session, meeting: ResidentMeeting, language: str) -> bytes:
    """The invitation as an A4 sheet in large print for the staircase's notice board."""
    house = houses_service.get(session, meeting.house_id)
    with i18n.use_language(language):
        document = env.get_template("meetings/notice_board_pdf.html").render(
            meeting=meeting, house=house, url=_meeting_url(meeting), signed_by=_signature()
        )
    return pdf.render(document, *NOTICE_BOARD_STYLES)


def filename(house: House, meeting: ResidentMeeting, what: str) -> str:
    """A download's file name: what, the house's code and the meeting's day (ASCII only)."""
    code = "".join(c for c in house.code if c.isascii() and (c.isalnum() or c in "-_"))
    return f"{what}-{code}-{local_date(meeting.starts_at).isoformat()}.pdf"
