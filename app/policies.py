"""Every permission, as a named predicate. Routes enforce them; templates show buttons by them."""

from datetime import date

from app.models.calendar import Audience, CalendarEvent
from app.models.finances import BudgetCycle
from app.models.forum import ForumSession
from app.models.initiatives import Initiative, Scope, State
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.surveys import Survey
from app.services.bodies import audiences
from app.services.bodies.roles import Principal
from app.services.initiatives import lifecycle

User = Principal | None


def is_staff_overseer(user: User) -> bool:
    """Management or an administrator: sees every house."""
    return user is not None and (user.is_admin or user.is_management)


def can_administer(user: User) -> bool:
    """Manage houses, people, residencies, committees, staff roles and imports."""
    return user is not None and user.is_admin


def can_view_houses(user: User) -> bool:
    """See the list of houses and their public facts (committee, chair, manager, meetings)."""
    return user is not None


def can_manage_house(user: User, house_id: int) -> bool:
    """Act for a house as its responsible staff."""
    return user is not None and (is_staff_overseer(user) or house_id in user.manager_of)


def can_view_residents(user: User, house_id: int) -> bool:
    """See who lives in a house: its committee, its manager, management, administrators."""
    return user is not None and (can_manage_house(user, house_id) or house_id in user.committee_of)


def can_view_meetings(user: User, house_id: int) -> bool:
    """See a house's resident meetings: its residents, committee, manager and management."""
    return user is not None and (
        can_manage_house(user, house_id)
        or house_id in user.resident_of
        or house_id in user.committee_of
    )


def can_organise_meeting(user: User, house_id: int) -> bool:
    """Convene a resident meeting and record its minutes: the committee or the manager."""
    return user is not None and (can_manage_house(user, house_id) or house_id in user.committee_of)


def can_manage_committee(user: User, house_id: int) -> bool:
    """Record a committee elected by a resident meeting: the manager, management, admin."""
    return can_manage_house(user, house_id)


def can_view_yte(user: User) -> bool:
    """See Haso-yte's members and term."""
    return user is not None


def can_manage_yte(user: User) -> bool:
    """Record Haso-yte terms and members."""
    return is_staff_overseer(user)


def can_view_audit(user: User) -> bool:
    """Read the audit log."""
    return user is not None and user.is_admin


def can_vote_in(user: User, house_id: int) -> bool:
    """Vote or stand for a body in a house: an ASO holder aged 18 or over (roles.is_adult)."""
    return user is not None and house_id in user.voter_of


def has_scope(user: User, scope: str) -> bool:
    """Whether an API token carries a scope; browser sessions carry every scope."""
    return user is not None and (user.scopes is None or scope in user.scopes)


def can_read_person(user: User, person_id: int) -> bool:
    """See a person's private details (email, phone, birth date): the person or an admin."""
    return user is not None and (user.id == person_id or user.is_admin)


def can_view_committee(user: User, house_id: int) -> bool:
    """See a house's resident committees, their terms and members: whoever sees its meetings."""
    return can_view_meetings(user, house_id)


# ---- initiatives --------------------------------------------------------------------------


def can_list_initiatives(user: User) -> bool:
    """Open the initiative list (it shows only what the user may see)."""
    return user is not None


def can_file_initiative(user: User, house_id: int) -> bool:
    """File an initiative for a house: a member of its resident committee."""
    return user is not None and house_id in user.committee_of


def can_suggest_initiative(user: User, house_id: int) -> bool:
    """Suggest an initiative to a house's committee: a resident of the house."""
    return user is not None and house_id in user.resident_of


def can_file_company_initiative(user: User) -> bool:
    """File a company-level initiative: a member of Haso-yte."""
    return user is not None and user.yte_member


def can_start_initiative(user: User) -> bool:
    """Open the new-initiative form: anyone who can file or suggest one somewhere."""
    return user is not None and (bool(user.resident_of) or user.yte_member)


def initiative_actor_roles(user: User, initiative: Initiative) -> set[str]:
    """The lifecycle actors (app.services.initiatives.lifecycle) the user is for an initiative."""
    if user is None:
        return set()
    roles: set[str] = set()
    author = initiative.suggested_by_id if initiative.state == State.suggested else None
    if user.id in (initiative.filed_by_id, author):
        roles.add("filer")
    house_id = initiative.house_id
    if initiative.scope == Scope.house and house_id is not None:
        if house_id in user.committee_of:
            roles.add("committee")
        if can_manage_house(user, house_id):
            roles.add("recipient")
    elif initiative.scope == Scope.company and is_staff_overseer(user):
        roles.add("recipient")
    if "recipient" in roles or (
        initiative.assignee_id is not None and initiative.assignee_id == user.id
    ):
        roles.add("handler")
    if (
        "filer" in roles
        or (initiative.scope == Scope.house and "committee" in roles)
        or (initiative.scope == Scope.company and user.yte_member)
    ):
        roles.add("evaluator")
    return roles


def can_view_initiative(user: User, initiative: Initiative) -> bool:
    """See an initiative. Drafts: their filer and, for one taken up from a suggestion, its
    suggester. Suggestions: the suggester and the committee. House scope: the house's residents,
    committee, manager and management. Company scope: all chairs, Haso-yte and management.
    The filer and the assignee always. (One withdrawn before submission stays a draft or a
    suggestion: lifecycle.private_kind.)"""
    if user is None:
        return False
    house_id = initiative.house_id
    private = lifecycle.private_kind(initiative)
    if private == "draft":
        # A draft taken up from a resident's suggestion carries it: the suggester keeps sight.
        return user.id in (initiative.filed_by_id, initiative.suggested_by_id)
    if private == "suggestion":
        return user.id == initiative.suggested_by_id or (
            house_id is not None and house_id in user.committee_of
        )
    if user.id in (initiative.filed_by_id, initiative.suggested_by_id, initiative.assignee_id):
        return True
    if is_staff_overseer(user):
        return True
    if initiative.scope == Scope.house:
        return house_id is not None and (
            house_id in user.resident_of
            or house_id in user.committee_of
            or house_id in user.manager_of
        )
    return user.is_chair or user.yte_member


def can_transition(user: User, initiative: Initiative, action: str) -> bool:
    """Make one lifecycle move now: the move starts from the current state and the user is
    one of its actors."""
    move = lifecycle.find(action)
    if move is None or initiative.state not in move.sources:
        return False
    return bool(move.actors & initiative_actor_roles(user, initiative))


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Edit the text: its author while it is a draft, a suggestion or not yet received."""
    editable = {State.draft, State.suggested, State.submitted}
    return initiative.state in editable and "filer" in initiative_actor_roles(user, initiative)


def can_comment_initiative(user: User, initiative: Initiative) -> bool:
    """Comment: whoever can see it, once it is out of draft."""
    return initiative.state != State.draft and can_view_initiative(user, initiative)


def can_attach_to_initiative(user: User, initiative: Initiative) -> bool:
    """Attach a file: its filer, the house's committee or a handler, while it is open."""
    if initiative.state in lifecycle.CLOSED:
        return False
    return bool({"filer", "committee", "handler"} & initiative_actor_roles(user, initiative))


def can_set_review(user: User, initiative: Initiative) -> bool:
    """Set the day the outcome is to be evaluated: a handler or an evaluator."""
    return bool(initiative_actor_roles(user, initiative) & {"handler", "evaluator"})


def can_export_initiatives(user: User) -> bool:
    """Download the initiative list as CSV: management and administrators."""
    return is_staff_overseer(user)


# ---- the cooperation forum ----------------------------------------------------------------


def can_view_forum(user: User) -> bool:
    """See the forum's sessions: its participants (management, Haso-yte) and every chair,
    who read published agendas and minutes."""
    return user is not None and (is_staff_overseer(user) or user.yte_member or user.is_chair)


def can_manage_forum(user: User) -> bool:
    """Create sessions, build and publish agendas, record minutes: management."""
    return is_staff_overseer(user)


def can_view_forum_session(user: User, forum_session: ForumSession) -> bool:
    """See one session: participants always, chairs once its agenda is published."""
    if user is None:
        return False
    if is_staff_overseer(user) or user.yte_member:
        return True
    return user.is_chair and forum_session.agenda_published_at is not None


def can_view_forum_minutes(user: User, forum_session: ForumSession) -> bool:
    """Read a session's minutes: participants always, chairs once they are published."""
    if not can_view_forum_session(user, forum_session):
        return False
    if can_manage_forum(user) or (user is not None and user.yte_member):
        return True
    return forum_session.minutes_published_at is not None


def can_override_forum_notice(user: User) -> bool:
    """Publish an agenda later than the notice allows: an administrator (audited)."""
    return user is not None and user.is_admin


# ---- the participation profile ------------------------------------------------------------


def can_view_company_profile(user: User) -> bool:
    """See every house's participation profile side by side: management and administrators."""
    return is_staff_overseer(user)


def can_open_participation_profile(user: User) -> bool:
    """Open /participation-profile: the company's view, or the profile of one's own house."""
    return user is not None and (
        can_view_company_profile(user)
        or any(can_view_house_profile(user, house_id) for house_id in user.houses)
    )


def can_view_company_totals(user: User) -> bool:
    """Company-level participation totals without per-house rows: management, administrators
    and Haso-yte, who have a right to company information that breaches no one's privacy."""
    return is_staff_overseer(user) or (user is not None and user.yte_member)


def can_view_house_profile(user: User, house_id: int) -> bool:
    """See a house's participation profile against the company average: its committee, its
    manager, management."""
    return can_view_residents(user, house_id)


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def can_read_outbox(debug: bool, client_host: str | None) -> bool:
    """The development outbox (login links included): debug mode, from this machine only."""
    return debug and client_host in LOOPBACK


# ---- annual calendar ----


def can_view_calendar(user: User) -> bool:
    """Open the calendar (it shows only the events the person's roles concern)."""
    return user is not None


def can_view_event(user: User, event: CalendarEvent) -> bool:
    """See one event: whoever its audience reaches today; management and admins all."""
    return user is not None and audiences.includes(user, event.audience, event.house_id)


def can_manage_calendar(user: User) -> bool:
    """Edit the annual calendar's templates, add, adjust and cancel events: management."""
    return is_staff_overseer(user)


# ---- event registrations ----


def can_register_for_event(user: User, event: CalendarEvent) -> bool:
    """Register for an event (or see one's registration): whoever its audience includes."""
    return user is not None and audiences.includes(user, event.audience, event.house_id)


def can_cancel_registration(user: User, event: CalendarEvent, registered: bool) -> bool:
    """Cancel one's registration: the audience, and anyone who holds one (e.g. after moving)."""
    return user is not None and (registered or can_register_for_event(user, event))


def can_view_attendees(user: User, event: CalendarEvent) -> bool:
    """See and download an event's attendee list: management, administrators, and for a
    house's event the house's property manager."""
    if is_staff_overseer(user):
        return True
    return user is not None and event.house_id is not None and event.house_id in user.manager_of


# ---- compliance ----


def can_view_compliance(user: User) -> bool:
    """Open the compliance view: management, administrators, and property managers (who see
    their own houses). Housing advisers work with single households, not with the bodies."""
    return is_staff_overseer(user) or (user is not None and user.is_manager)


def can_view_company_compliance(user: User) -> bool:
    """See every house and the company's newsletters in the compliance view."""
    return is_staff_overseer(user)


# ---- newsletters ----

# Whom each kind of newsletter goes to (a house bulletin: the house's residents).
NEWSLETTER_AUDIENCES = {
    NewsletterKind.chairs: Audience.all_chairs,
    NewsletterKind.residents: Audience.all_residents,
    NewsletterKind.house: Audience.house_residents,
}
NEWSLETTER_EDITABLE = frozenset(
    {NewsletterStatus.draft, NewsletterStatus.scheduled, NewsletterStatus.cancelled}
)


def can_write_newsletter(user: User, kind: NewsletterKind, house_id: int | None = None) -> bool:
    """Write a newsletter of a kind: the chairs' and residents' newsletters management and
    administrators; a house's bulletin its property manager, its committee and management."""
    if user is None:
        return False
    if kind != NewsletterKind.house:
        return is_staff_overseer(user)
    return house_id is not None and (
        can_manage_house(user, house_id) or house_id in user.committee_of
    )


def can_write_newsletters(user: User) -> bool:
    """Start a newsletter of some kind: an overseer, a property manager or a committee member."""
    return user is not None and (
        is_staff_overseer(user) or bool(user.manager_of) or bool(user.committee_of)
    )


def can_manage_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Preview, test, schedule or cancel a newsletter: whoever may write its kind."""
    return can_write_newsletter(user, newsletter.kind, newsletter.house_id)


def can_edit_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Change a newsletter's text: its writers, until sending begins."""
    return newsletter.status in NEWSLETTER_EDITABLE and can_manage_newsletter(user, newsletter)


def can_cancel_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Stop a scheduled newsletter before it goes: its writers."""
    return newsletter.status == NewsletterStatus.scheduled and can_manage_newsletter(
        user, newsletter
    )


def can_list_newsletters(user: User) -> bool:
    """Open the newsletter archive (it lists only what the user may read)."""
    return user is not None


def can_read_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Read a newsletter: its writers always (drafts included), management and administrators,
    and once it is sent, whoever belongs to its audience today."""
    if user is None:
        return False
    if can_manage_newsletter(user, newsletter) or is_staff_overseer(user):
        return True
    if newsletter.status != NewsletterStatus.sent:
        return False
    audience = NEWSLETTER_AUDIENCES[NewsletterKind(newsletter.kind)]
    return audiences.includes(user, audience, newsletter.house_id)


# ---- scheduler jobs ----


def can_manage_jobs(user: User) -> bool:
    """See the scheduled jobs, their runs and the mail queue, and run a job now: administrators."""
    return user is not None and user.is_admin


# ---- mail preferences ----


def can_choose_mail(user: User) -> bool:
    """Choose how one's own notifications and newsletters come: every logged-in person."""
    return user is not None


# ---- accessibility feedback ----


def can_handle_accessibility_feedback(user: User) -> bool:
    """Read the accessibility feedback and record the answers: administrators."""
    return user is not None and user.is_admin


# ---- house finances ----


def can_view_finance_monthly(user: User, house_id: int) -> bool:
    """A house's figures month by month: its chair and committee (beyond the law), its property
    manager, management and administrators."""
    return can_view_residents(user, house_id)


def can_view_finances(user: User, house_id: int) -> bool:
    """A house's yearly budget, yearly actuals and year-end statement: also its residents."""
    return user is not None and (
        can_view_finance_monthly(user, house_id) or house_id in user.resident_of
    )


def can_view_company_finances(user: User) -> bool:
    """Company-level totals and averages, never one house's row: Haso-yte and management."""
    return is_staff_overseer(user) or (user is not None and user.yte_member)


def can_compare_house_finances(user: User) -> bool:
    """Every house's figures side by side: management and administrators."""
    return is_staff_overseer(user)


def can_import_finances(user: User) -> bool:
    """Import monthly figures: management, administrators, property managers (own houses)."""
    return is_staff_overseer(user) or (user is not None and bool(user.manager_of))


# ---- ballots and surveys ----


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


# ---- data protection ----


def can_download_own_data(user: User) -> bool:
    """Download everything the portal holds about oneself: anyone logged in."""
    return user is not None


def can_erase_people(user: User) -> bool:
    """Erase a person's data on their request: administrators."""
    return user is not None and user.is_admin


def can_manage_cost_groups(user: User) -> bool:
    """Add, rename, reorder and hide the cost groups: management and administrators."""
    return is_staff_overseer(user)


def can_manage_budget_cycles(user: User) -> bool:
    """Start the budget cycles, confirm budgets, evaluate, follow the statements: management."""
    return is_staff_overseer(user)


def can_open_budget_cycles(user: User) -> bool:
    """Open the list of budget cycles: anyone with a house role, Haso-yte or management."""
    return user is not None and (is_staff_overseer(user) or user.yte_member or bool(user.houses))


def can_give_budget_statement(user: User, house_id: int) -> bool:
    """Give the statement (lausunto) on a house's budget proposal: its committee."""
    return user is not None and house_id in user.committee_of


def can_give_company_budget_statement(user: User) -> bool:
    """Give the statement on the company's budget: Haso-yte."""
    return user is not None and user.yte_member


def can_view_budget_cycle(user: User, cycle: BudgetCycle) -> bool:
    """A house's cycle: whoever sees its yearly figures; the company's: Haso-yte, management."""
    if cycle.house_id is None:
        return can_view_company_finances(user)
    return can_view_finances(user, cycle.house_id)


def can_take_budget_step(user: User, cycle: BudgetCycle, move: str) -> bool:
    """Whose move it is: the property manager publishes a house's proposal (management the
    company's), the committee or Haso-yte gives the statement, management confirms and
    evaluates."""
    if move == "proposal":
        if cycle.house_id is None:
            return is_staff_overseer(user)
        return can_manage_house(user, cycle.house_id)
    if move == "statement":
        if cycle.house_id is None:
            return can_give_company_budget_statement(user)
        return can_give_budget_statement(user, cycle.house_id)
    return can_manage_budget_cycles(user) and move in ("confirmation", "evaluation")


def can_revise_budget_proposal(user: User, cycle: BudgetCycle) -> bool:
    """Revise a house's budget proposal: whoever publishes it, its property manager (and
    management). When it may be revised (published, not confirmed, before the statement
    deadline) the service decides, refusing with a message that says why."""
    return cycle.house_id is not None and can_take_budget_step(user, cycle, "proposal")


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
