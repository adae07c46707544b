"""The authorization matrix's entries per feature; tests/test_authorization_matrix.py runs them.

Each feature module has:
  MATRIX        "METHOD path" → Rule(who may pass the route's guard)
  extend_world  (session, world) → extra objects the feature's routes need (committed by caller)
  PARAMS        path parameter name → function(world) giving its value
  SECTIONS      first path segment → function(world) giving the value of a bare {id}
"""

from tests.authz import (
    accessibility,
    ballots,
    calendar,
    compliance,
    demands,
    finances,
    forum,
    households,
    initiative_discussion,
    initiatives,
    initiatives_api,
    mail_preferences,
    newsletters,
    participation,
    privacy,
    registrations,
    scheduler_jobs,
    sso,
)

FEATURES = [
    accessibility,
    initiatives,
    initiatives_api,
    initiative_discussion,
    forum,
    participation,
    calendar,
    registrations,
    compliance,
    finances,
    newsletters,
    scheduler_jobs,
    mail_preferences,
    ballots,
    sso,
    privacy,
    households,
    demands,
]
