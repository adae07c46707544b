"""Every table, imported so that metadata (and Alembic) sees them all."""

from app.models.accessibility import AccessibilityFeedback
from app.models.audit import AuditEntry
from app.models.auth import ApiToken, LoginAttempt, LoginLink, LoginSession
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionBallotChoice,
    ElectionCandidate,
    ElectionDelegate,
    ElectionParticipation,
    ElectionSealedBallot,
)
from app.models.calendar import (
    CalendarEvent,
    CalendarFeed,
    EventRegistration,
    EventTemplate,
)
from app.models.committees import CommitteeMember, ResidentCommittee
from app.models.demands import MeetingDemand, MeetingDemandSignature
from app.models.finances import (
    BudgetCycle,
    BudgetLine,
    CacheRevision,
    CostGroup,
    FinanceImport,
    MonthlyActual,
    UsageCharge,
)
from app.models.forum import AgendaItem, ForumSession
from app.models.houses import Apartment, House, Residency
from app.models.initiatives import (
    Initiative,
    InitiativeAttachment,
    InitiativeComment,
    InitiativeEvaluation,
    InitiativeEvent,
    InitiativeFollower,
    Notification,
)
from app.models.mail import Delivery
from app.models.meetings import ResidentMeeting
from app.models.newsletters import DigestItem, MailPreference, Newsletter
from app.models.notices import NoticeRecipient
from app.models.participation import Participation
from app.models.people import Person, StaffRole
from app.models.scheduler import JobRun, scheduler_job
from app.models.sso import SsoIdentity, SsoLogin, SsoSession
from app.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveySealedResponse,
)
from app.models.yte import YteMember, YteTerm

__all__ = [
    "Election",
    "ElectionBallot",
    "ElectionBallotChoice",
    "ElectionCandidate",
    "ElectionDelegate",
    "ElectionParticipation",
    "ElectionSealedBallot",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveySealedResponse",
    "AccessibilityFeedback",
    "BudgetCycle",
    "BudgetLine",
    "CacheRevision",
    "CostGroup",
    "FinanceImport",
    "MonthlyActual",
    "UsageCharge",
    "CalendarEvent",
    "CalendarFeed",
    "DigestItem",
    "EventRegistration",
    "EventTemplate",
    "JobRun",
    "MailPreference",
    "Newsletter",
    "AgendaItem",
    "ForumSession",
    "Initiative",
    "InitiativeAttachment",
    "InitiativeComment",
    "InitiativeEvaluation",
    "InitiativeEvent",
    "InitiativeFollower",
    "Notification",
    "NoticeRecipient",
    "ApiToken",
    "AuditEntry",
    "CommitteeMember",
    "Delivery",
    "MeetingDemand",
    "MeetingDemandSignature",
    "Apartment",
    "House",
    "LoginAttempt",
    "LoginLink",
    "LoginSession",
    "Participation",
    "Person",
    "Residency",
    "ResidentCommittee",
    "ResidentMeeting",
    "StaffRole",
    "scheduler_job",
    "SsoIdentity",
    "SsoLogin",
    "SsoSession",
    "YteMember",
    "YteTerm",
]
