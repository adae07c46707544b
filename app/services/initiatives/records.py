"""Initiatives: filing, editing, moving through the lifecycle, who sees what, lists."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import _
from app.models.houses import House
from app.models.initiatives import (
    EventKind,
    Initiative,
    InitiativeCreate,
    InitiativeEvaluation,
    InitiativeEvent,
    InitiativePatch,
    InitiativeUpdate,
    Scope,
    State,
)
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.initiatives import lifecycle, notifications, policies
from app.services.initiatives.following import _follow_committee, follow
from app.services.platform import audit, versioning


def get_visible(session: Session, initiative_id: int, user: Principal) -> Initiative:
    """An initiative the user may see; NotFound for everyone else, so its existence stays
    hidden (pages and the API load initiatives through this)."""
    initiative = get(session, initiative_id)
    if not policies.can_view_initiative(user, initiative):
        raise NotFound()
    return initiative


def get(session: Session, initiative_id: int) -> Initiative:
    """An initiative by id, or NotFound."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound()
    return initiative


# ---- filing and editing --------------------------------------------------------------------


def record_event(
    session: Session,
    initiative: Initiative,
    kind: EventKind,
    actor_id: int | None,
    now: datetime,
    **fields: Any,
) -> InitiativeEvent:
    assert initiative.id is not None
    event = InitiativeEvent(
        initiative_id=initiative.id, kind=kind, actor_id=actor_id, at=now, **fields
    )
    session.add(event)
    session.flush()
    return event


def create(
    session: Session, data: InitiativeCreate, user: Principal, now: datetime | None = None
) -> Initiative:
    """A new draft (committee members, Haso-yte) or a suggestion to the committee (residents)."""
    now = now or utcnow()
    if data.scope == Scope.company:
        if not policies.can_file_company_initiative(user):
            raise ValidationFailed(
                {"scope": _("Only members of Haso-yte can file company-level initiatives.")}
            )
        initiative = Initiative(
            scope=Scope.company, house_id=None, state=State.draft, filed_by_id=user.id, title=""
        )
    else:
        if data.house_id is None:
            raise ValidationFailed({"house_id": _("Choose the house.")})
        if session.get(House, data.house_id) is None:
            raise ValidationFailed({"house_id": _("There is no such house.")})
        if policies.can_file_initiative(user, data.house_id):
            initiative = Initiative(
                scope=Scope.house,
                house_id=data.house_id,
                state=State.draft,
                filed_by_id=user.id,
                title="",
            )
        elif policies.can_suggest_initiative(user, data.house_id):
            initiative = Initiative(
                scope=Scope.house,
                house_id=data.house_id,
                state=State.suggested,
                suggested_by_id=user.id,
                title="",
            )
        else:
            raise ValidationFailed(
                {"house_id": _("You can file initiatives only for a house where you live.")}
            )
    initiative.title = data.title.strip()
    initiative.body = data.body.strip()
    initiative.participation = data.participation
    initiative.created_at = initiative.updated_at = now
    session.add(initiative)
    session.flush()
    record_event(session, initiative, EventKind.created, user.id, now, to_state=initiative.state)
    follow(session, initiative, user.id)
    if initiative.state == State.suggested:
        _follow_committee(session, initiative, now)
        notifications.initiative_changed(session, initiative, None, user.id)
    audit.record(session, user.id, "create", initiative)
    return initiative


def update(
    session: Session,
    initiative: Initiative,
    data: InitiativeUpdate | InitiativePatch,
    user: Principal,
    now: datetime | None = None,
) -> Initiative:
    """Change the text; refused once the recipient has received it, or if someone else saved.

    The page's form sends every field (InitiativeUpdate); a patch (the API) changes only the
    fields it names. While the initiative is private (a draft or a suggestion) its history
    names the fields changed but keeps no text: the history is shown to residents once it is
    submitted. The audit row keeps the before and after for administrators.
    """
    now = now or utcnow()
    if not policies.can_edit_initiative(user, initiative):
        raise Forbidden()
    names = ("title", "body", "participation")
    given = set(names) if isinstance(data, InitiativeUpdate) else data.model_fields_set
    errors = {
        name: _("This field is required.")
        for name in names
        if name in given and getattr(data, name) is None
    }
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(initiative)
    versioning.bump(session, initiative, data.version)
    private = lifecycle.private_kind(initiative) is not None
    changes: dict[str, Any] = {}
    for name in names:
        if name not in given:
            continue
        old, new = getattr(initiative, name), getattr(data, name)  # text comes stripped
        if old != new:
            changes[name] = None if private else {"before": str(old), "after": str(new)}
            setattr(initiative, name, new)
    initiative.updated_at = now
    session.add(initiative)
    session.flush()
    if changes:
        record_event(session, initiative, EventKind.edited, user.id, now, changes=changes)
        audit.record(session, user.id, "update", initiative, before)
    return initiative


# ---- the lifecycle -------------------------------------------------------------------------


# ---- followers and history -----------------------------------------------------------------


def history(session: Session, initiative_id: int) -> list[InitiativeEvent]:
    """Every event of an initiative, oldest first."""
    return list(
        session.exec(
            select(InitiativeEvent)
            .where(InitiativeEvent.initiative_id == initiative_id)
            .order_by(col(InitiativeEvent.at), col(InitiativeEvent.id))
        )
    )


def evaluations(session: Session, initiative_id: int) -> list[InitiativeEvaluation]:
    """The ratings given, oldest first."""
    return list(
        session.exec(
            select(InitiativeEvaluation)
            .where(InitiativeEvaluation.initiative_id == initiative_id)
            .order_by(col(InitiativeEvaluation.id))
        )
    )
