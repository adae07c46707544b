"""Elections: the daily announcement of the voting, the count after it closes, the results."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services.ballots import election_mail


@job
def elections_daily(session: Session) -> election_mail.ElectionRun:
    """Announce, count and tell the results of the elections due today (Helsinki)."""
    return election_mail.run_daily(session, now=utcnow())
