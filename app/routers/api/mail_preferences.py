"""Mail choices API: the caller's choice per topic (at once, daily, weekly digest, or off)."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from app.deps import SessionDep, require_api
from app.models.newsletters import Frequency, Topic
from app.services.access.roles import Principal
from app.services.mail import preferences

router = APIRouter(prefix="/api/v1", tags=["mail preferences"])

Reader = Annotated[Principal, require_api("can_choose_mail", "read")]
Writer = Annotated[Principal, require_api("can_choose_mail", "write")]


class MailChoices(BaseModel):
    """The choice for every topic; newsletters are only immediate or off."""

    chairs_newsletter: Frequency
    residents_newsletter: Frequency
    house_bulletin: Frequency
    initiative_changes: Frequency
    event_reminders: Frequency


class MailChoicesUpdate(BaseModel):
    """New choices; topics left out keep theirs."""

    model_config = ConfigDict(extra="forbid")

    chairs_newsletter: Frequency | None = None
    residents_newsletter: Frequency | None = None
    house_bulletin: Frequency | None = None
    initiative_changes: Frequency | None = None
    event_reminders: Frequency | None = None


def _answer(choices: dict[Topic, Frequency]) -> MailChoices:
    return MailChoices.model_validate({t.value: c for t, c in choices.items()})


@router.get("/me/preferences", response_model=MailChoices)
def read_choices(session: SessionDep, user: Reader) -> MailChoices:
    """The caller's mail choices (at once when never chosen)."""
    return _answer(preferences.all_for(session, user.id))


@router.put("/me/preferences", response_model=MailChoices)
def write_choices(session: SessionDep, user: Writer, data: MailChoicesUpdate) -> MailChoices:
    """Change the caller's mail choices; 422 names each topic whose choice is not offered."""
    given = {k: v.value for k, v in data.model_dump(exclude_none=True).items()}
    topics = [Topic(k) for k in given]
    return _answer(preferences.update(session, user, given, topics))
