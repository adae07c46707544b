"""Every router of the app, in the order they are mounted."""

from fastapi import APIRouter

from app.routers import compliance
from app.routers.accounts import account, privacy, sso
from app.routers.accounts import login as auth
from app.routers.api import auth as api_auth
from app.routers.api import calendar as api_calendar
from app.routers.api import committees as api_committees
from app.routers.api import demands as api_demands
from app.routers.api import elections as api_elections
from app.routers.api import finances as api_finances
from app.routers.api import forum as api_forum
from app.routers.api import houses as api_houses
from app.routers.api import initiative_discussion as api_initiative_discussion
from app.routers.api import initiatives as api_initiatives
from app.routers.api import mail_preferences as api_mail_preferences
from app.routers.api import meetings as api_meetings
from app.routers.api import newsletters as api_newsletters
from app.routers.api import participation_profile as api_participation_profile
from app.routers.api import people as api_people
from app.routers.api import surveys as api_surveys
from app.routers.api import yte as api_yte
from app.routers.ballots import elections, surveys
from app.routers.bodies import committees, demands, houses, imports, meetings, yte
from app.routers.calendar import pages as calendar
from app.routers.calendar import registrations as event_registrations
from app.routers.calendar import templates as calendar_templates
from app.routers.finances import budget_cycle as finances_budget_cycle
from app.routers.finances import pages as finances
from app.routers.forum import items as forum_items
from app.routers.forum import pages as forum
from app.routers.initiatives import discussion as initiative_discussion
from app.routers.initiatives import pages as initiatives
from app.routers.mail import newsletters, unsubscribe
from app.routers.mail import preferences as mail_preferences
from app.routers.overview import home
from app.routers.overview import participation as participation_profile
from app.routers.platform import accessibility, admin
from app.routers.platform import jobs as admin_jobs

# HTML pages: not part of the API's OpenAPI description.
PAGE_ROUTERS: list[APIRouter] = [
    home.router,
    auth.router,
    sso.router,
    account.router,
    houses.router,
    meetings.router,
    demands.router,
    committees.router,
    yte.router,
    initiatives.router,
    initiative_discussion.router,
    forum.router,
    forum_items.router,
    participation_profile.router,
    finances.router,
    finances_budget_cycle.router,
    calendar.router,
    calendar_templates.router,
    event_registrations.router,
    compliance.router,
    newsletters.router,
    unsubscribe.router,
    mail_preferences.router,
    admin.router,
    admin_jobs.router,
    imports.router,
    accessibility.router,
    elections.router,
    surveys.router,
    privacy.router,
]

API_ROUTERS: list[APIRouter] = [
    api_auth.router,
    api_houses.router,
    api_people.router,
    api_meetings.router,
    api_demands.router,
    api_committees.router,
    api_yte.router,
    api_initiatives.router,
    api_initiative_discussion.router,
    api_forum.router,
    api_participation_profile.router,
    api_finances.router,
    api_calendar.router,
    api_newsletters.router,
    api_mail_preferences.router,
    api_elections.router,
    api_surveys.router,
    privacy.api_router,
]
