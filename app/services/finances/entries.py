"""Recording a house's yearly budget, its usage charge and the cost groups, each change in the
audit log."""

import re
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from app.errors import ValidationFailed
from app.i18n import _
from app.models.finances import BudgetLine, CostGroup, GroupKind, UsageCharge
from app.models.types import utcnow
from app.services.platform import audit


def set_budget(
    session: Session, house_id: int, year: int, amounts: dict[str, Decimal], actor_id: int | None
) -> list[BudgetLine]:
    """Set a house's budget for a year: cost group code → amount (others are left as they are)."""
    by_code = {g.code: g for g in session.exec(select(CostGroup))}
    unknown = sorted(set(amounts) - set(by_code))
    if unknown:
        raise ValidationFailed({"group": _("No cost group has this code.")})
    lines = []
    for code, amount in amounts.items():
        group_id = by_code[code].id
        line = session.exec(
            select(BudgetLine).where(
                BudgetLine.house_id == house_id,
                BudgetLine.cost_group_id == group_id,
                BudgetLine.year == year,
            )
        ).first()
        if line is None:
            assert group_id is not None
            line = BudgetLine(house_id=house_id, cost_group_id=group_id, year=year, amount=amount)
            line.updated_by_id = actor_id
            session.add(line)
            session.flush()
            audit.record(session, actor_id, "create", line)
        elif line.amount != amount:
            before = audit.snapshot(line)
            line.amount = amount
            line.updated_by_id = actor_id
            line.updated_at = utcnow()
            session.add(line)
            session.flush()
            audit.record(session, actor_id, "update", line, before)
        lines.append(line)
    return lines


def set_usage_charge(
    session: Session, house_id: int, effective_from: date, amount: Decimal, actor_id: int | None
) -> UsageCharge:
    """Record the usage charge (€/m²/month) in effect from a day; the same day's is replaced."""
    if amount <= 0:
        raise ValidationFailed({"amount": _("Enter a usage charge greater than zero.")})
    charge = session.exec(
        select(UsageCharge).where(
            UsageCharge.house_id == house_id, UsageCharge.effective_from == effective_from
        )
    ).first()
    if charge is None:
        charge = UsageCharge(
            house_id=house_id, effective_from=effective_from, amount=amount, created_by_id=actor_id
        )
        session.add(charge)
        session.flush()
        audit.record(session, actor_id, "create", charge)
    elif charge.amount != amount:
        before = audit.snapshot(charge)
        charge.amount = amount
        session.add(charge)
        session.flush()
        audit.record(session, actor_id, "update", charge, before)
    return charge


def _group_values(form: dict[str, str]) -> dict[str, object]:
    """A cost group's fields from a form, checked; errors by field."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name in ("name_fi", "name_sv", "name_en"):
        text = form.get(name, "").strip()
        if not text:
            errors[name] = _("This field is required.")
        elif len(text) > 200:
            errors[name] = _("Enter at most %(n)s characters.", n=200)
        values[name] = text
    position = form.get("position", "").strip() or "0"
    if not position.isdigit() or int(position) > 999:
        errors["position"] = _("Enter a whole number from 0 to 999.")
    else:
        values["position"] = int(position)
    values["active"] = form.get("active") in ("on", "true", "1")
    if errors:
        raise ValidationFailed(errors)
    return values


def create_group(session: Session, form: dict[str, str], actor_id: int | None) -> CostGroup:
    """Add a cost group: a unique code (letters, digits, - and _) and its three names."""
    code = form.get("code", "").strip().lower()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[a-z0-9_-]{1,20}", code):
        errors["code"] = _("Enter a code of at most 20 letters a-z, digits, - or _.")
    elif session.exec(select(CostGroup).where(CostGroup.code == code)).first():
        errors["code"] = _("A cost group already has this code.")
    try:
        values = _group_values({**form, "active": "on"})
    except ValidationFailed as exc:
        errors.update(exc.errors)
        values = {}
    if errors:
        raise ValidationFailed(errors)
    kind = form.get("kind", GroupKind.maintenance.value)
    if kind not in {k.value for k in GroupKind}:
        raise ValidationFailed({"kind": _("Choose a kind from the list.")})
    group = CostGroup(code=code, kind=GroupKind(kind), **values)  # type: ignore[arg-type]
    session.add(group)
    session.flush()
    audit.record(session, actor_id, "create", group)
    return group


def update_group(
    session: Session, group: CostGroup, form: dict[str, str], actor_id: int | None
) -> CostGroup:
    """Rename, reorder or hide a cost group (its code and kind stay: figures refer to them)."""
    values = _group_values(form)
    before = audit.snapshot(group)
    for name, value in values.items():
        setattr(group, name, value)
    session.add(group)
    session.flush()
    audit.record(session, actor_id, "update", group, before)
    return group
