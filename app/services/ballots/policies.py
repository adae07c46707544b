"""Who may see and run elections and surveys, stand, name a voter, answer."""

from datetime import date

from app.models.calendar import Audience
from app.models.surveys import Survey
from app.services.access import audiences
from app.services.access.policies import User


def can_view_elections(user: User) -> bool:
    """See the elections, their candidates and, once counted, their results: anyone logged in
    (whose house vote a person may cast is decided by the data: chair, vice-chair, delegate)."""
    return user is not None


def can_manage_elections(user: User) -> bool:
    """Create elections, follow the turnout and count the votes: management, administrators."""
    return user is not None and (user.is_management or user.is_admin)


def can_stand_in_elections(user: User) -> bool:
    """Stand as a candidate during a nomination: sitting chairs."""
    return user is not None and user.is_chair


def can_name_election_delegate(user: User) -> bool:
    """Name who casts a house's vote: the house's committee (the service checks chair or
    vice-chair of that very house)."""
    return user is not None and bool(user.committee_of)


def can_view_surveys(user: User) -> bool:
    """Open the surveys page (it lists the surveys one may answer or made): anyone logged in."""
    return user is not None


def can_create_surveys(user: User) -> bool:
    """Make a survey: management and administrators for any audience, a property manager or a
    committee for their own house's residents."""
    return user is not None and (
        user.is_management or user.is_admin or bool(user.manager_of) or bool(user.committee_of)
    )


def can_manage_survey(user: User, survey: Survey) -> bool:
    """See a survey's results whenever they are ready, export them and share them: management
    and administrators, and a house survey's creator while they still manage the house or sit on
    its committee (a chair who has left the committee no longer sees its survey's answers)."""
    if user is None:
        return False
    if user.is_management or user.is_admin:
        return True
    house = survey.house_id
    return (
        survey.created_by == user.id
        and house is not None
        and (house in user.manager_of or house in user.committee_of)
    )


def can_answer_survey(user: User, survey: Survey) -> bool:
    """Answer a survey: whoever its audience includes today."""
    return user is not None and audiences.includes(user, Audience(survey.audience), survey.house_id)


def can_view_survey(user: User, survey: Survey) -> bool:
    """See a survey and its questions: its audience and those who manage it."""
    return can_manage_survey(user, survey) or can_answer_survey(user, survey)


def can_view_survey_results(user: User, survey: Survey, today: date) -> bool:
    """See a survey's results (page, CSV and API alike): those who manage it once it has closed
    (or at once when its results are live), its audience when the results are also shared.
    Sealed results would show each answer as it arrives, and so who gave it."""
    if user is None:
        return False
    ready = today > survey.closes_on or survey.live_results
    if can_manage_survey(user, survey):
        return ready
    return ready and survey.results_shared and can_answer_survey(user, survey)
