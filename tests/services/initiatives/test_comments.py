"""Comments on an initiative: who may write, one level of replies, the order shown, the context
the initiative page gets."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app import i18n
from app.config import get_settings
from app.deps import today
from app.errors import Forbidden, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.initiatives import CommentInput, InitiativeComment, State
from app.services.access.roles import load_principal
from app.services.initiatives import attachments as attachments_service
from app.services.initiatives import comments as comments_service
from app.services.initiatives import following
from tests.support import make_committee, make_house, make_initiative, make_person, make_resident

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    with i18n.use_language("en"):
        yield


@pytest.fixture()
def world(session):
    house = make_house(session)
    other_house = make_house(session)
    chair = make_resident(session, house, make_person(session, name="Tuula Tuoli"))
    make_committee(session, house, [(chair, Position.chair)])
    resident = make_resident(session, house, make_person(session, name="Risto Rappu"))
    outsider = make_resident(session, other_house)
    initiative = make_initiative(session, chair, house, state=State.submitted)
    draft = make_initiative(session, chair, house, state=State.draft)
    session.commit()

    def principal(person):
        return load_principal(session, person, today())

    return {
        "initiative": initiative,
        "draft": draft,
        "chair": principal(chair),
        "resident": principal(resident),
        "outsider": principal(outsider),
    }


def comment(session, world, who, body, parent=None, at=NOW, initiative=None):
    return comments_service.add(
        session,
        initiative or world["initiative"],
        world[who],
        CommentInput(body=body, parent_id=parent.id if parent else None),
        now=at,
    )


def test_comment_is_saved_trimmed_and_audited(session, world):
    posted = comment(session, world, "resident", "  Hyvä ajatus!  \n")
    assert posted.body == "Hyvä ajatus!"
    assert posted.author_id == world["resident"].id
    assert posted.parent_id is None
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "initiative_comment")).one()
    assert audit.entity_id == str(posted.id) and audit.actor_id == world["resident"].id


def test_replies_are_one_level_deep(session, world):
    first = comment(session, world, "resident", "Kannatan.")
    reply = comment(session, world, "chair", "Kiitos!", parent=first, at=NOW + timedelta(hours=1))
    # A reply to a reply joins the thread of the top-level comment.
    deeper = comment(session, world, "resident", "Ole hyvä.", parent=reply, at=NOW + timedelta(2))
    assert reply.parent_id == first.id
    assert deeper.parent_id == first.id


def test_threads_oldest_first_with_authors(session, world):
    later = comment(session, world, "chair", "Toinen", at=NOW + timedelta(hours=2))
    earlier = comment(session, world, "resident", "Ensimmäinen", at=NOW)
    reply_late = comment(session, world, "chair", "V2", parent=earlier, at=NOW + timedelta(hours=5))
    reply_early = comment(
        session, world, "chair", "V1", parent=earlier, at=NOW + timedelta(hours=3)
    )
    threads = comments_service.threads(session, world["initiative"].id)
    assert [t.comment.id for t in threads] == [earlier.id, later.id]
    assert [t.author for t in threads] == ["Risto Rappu", "Tuula Tuoli"]
    assert [r.comment.id for r in threads[0].replies] == [reply_early.id, reply_late.id]
    assert threads[1].replies == []


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_empty_body_is_refused(session, world, body):
    with pytest.raises(ValidationFailed) as refused:
        comments_service.add(
            session, world["initiative"], world["resident"], CommentInput.model_construct(body=body)
        )
    assert refused.value.errors == {"body": "This field is required."}
    assert session.exec(select(InitiativeComment)).all() == []


def test_too_long_body_is_refused(session, world):
    data = CommentInput.model_construct(body="x" * 10001, parent_id=None)
    with pytest.raises(ValidationFailed) as refused:
        comments_service.add(session, world["initiative"], world["resident"], data)
    assert refused.value.errors == {"body": "Enter at most 10000 characters."}


def test_reply_to_a_comment_of_another_initiative_is_refused(session, world):
    elsewhere = make_initiative(session, None, None, state=State.submitted)
    other_comment = InitiativeComment(initiative_id=elsewhere.id, body="Muualla")
    session.add(other_comment)
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        comment(session, world, "resident", "Vastaus", parent=other_comment)
    assert list(refused.value.errors) == ["parent_id"]
    missing = CommentInput(body="Vastaus", parent_id=999999)
    with pytest.raises(ValidationFailed):
        comments_service.add(session, world["initiative"], world["resident"], missing)


def test_outsiders_and_drafts_cannot_be_commented(session, world):
    with pytest.raises(Forbidden):
        comment(session, world, "outsider", "Hei")
    # The filer sees the draft but comments open only once it is out of draft.
    with pytest.raises(Forbidden):
        comment(session, world, "chair", "Hei", initiative=world["draft"])
    assert session.exec(select(InitiativeComment)).all() == []


def test_discussion_context(session, world, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_dir", tmp_path)
    first = comment(session, world, "resident", "Kannatan.")
    comment(session, world, "chair", "Kiitos!", parent=first)
    attachments_service.store(
        session, world["initiative"], world["chair"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    context = comments_service.discussion_context(session, world["initiative"], world["resident"])
    assert [t.comment.id for t in context["comments"]] == [first.id]
    assert len(context["comments"][0].replies) == 1
    [row] = context["attachments"]
    assert (row.attachment.filename, row.uploader, row.label) == ("a.pdf", "Tuula Tuoli", "PDF")
    assert context["is_following"] is False
    assert ".pdf" in context["attachment_accept"] and "image/png" in context["attachment_accept"]
    following.follow(session, world["initiative"], world["resident"].id)
    context = comments_service.discussion_context(session, world["initiative"], world["resident"])
    assert context["is_following"] is True
