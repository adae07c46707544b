"""Comment, attach, download and follow through the pages, per role and per house; the
discussion partial as the initiative page includes it."""

import hashlib
import re
from pathlib import Path

import pytest
from sqlmodel import select

from app.config import get_settings
from app.deps import today
from app.jinja import env
from app.models.committees import Position
from app.models.initiatives import (
    InitiativeAttachment,
    InitiativeComment,
    InitiativeFollower,
    State,
)
from app.services.access.roles import load_principal
from app.services.initiatives import comments as comments_service
from tests.services.initiatives.test_attachments import EXECUTABLE, SAMPLES
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
)


@pytest.fixture()
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "attachments"
    monkeypatch.setattr(get_settings(), "attachment_dir", path)
    return path


@pytest.fixture()
def world(session):
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    chair = make_resident(session, house_a, make_person(session, name="Tuula Tuoli"))
    make_committee(session, house_a, [(chair, Position.chair)])
    resident = make_resident(session, house_a, make_person(session, name="Risto Rappu"))
    outsider = make_resident(session, house_b)
    manager = make_manager(session, house_a)
    initiative = make_initiative(session, chair, house_a, state=State.submitted)
    other = make_initiative(session, chair, house_a, state=State.submitted)
    draft = make_initiative(session, chair, house_a, state=State.draft)
    session.commit()
    return {
        "chair": chair,
        "resident": resident,
        "outsider": outsider,
        "manager": manager,
        "initiative": initiative,
        "other": other,
        "draft": draft,
    }


def comments(session) -> list[InitiativeComment]:
    return list(session.exec(select(InitiativeComment).order_by(InitiativeComment.id)))


def attachments(session) -> list[InitiativeAttachment]:
    return list(session.exec(select(InitiativeAttachment)))


def stored(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def upload(client, url: str, name: str, content: bytes, with_csrf: bool = True):
    data = {"csrf_token": client.csrf()} if with_csrf else {}
    return client.post(url, data=data, files={"file": (name, content, "application/octet-stream")})


# ---- comments ------------------------------------------------------------------------------


def test_resident_comments_and_chair_replies(client, session, world):
    initiative = world["initiative"]
    url = f"/initiatives/{initiative.id}/comments"
    client.login_as(session, world["resident"])
    response = client.submit(url, {"body": "Kannatan lämpimästi."})
    [posted] = comments(session)
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{initiative.id}#comment-{posted.id}"
    assert posted.author_id == world["resident"].id and posted.parent_id is None

    client.login_as(session, world["chair"])
    response = client.submit(url, {"body": "Kiitos!", "parent_id": str(posted.id)})
    reply = comments(session)[-1]
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"#comment-{reply.id}")
    assert reply.parent_id == posted.id


def test_empty_comment_is_shown_again_with_the_error(client, session, world):
    client.login_as(session, world["resident"])
    response = client.submit(f"/initiatives/{world['initiative'].id}/comments", {"body": "  "})
    assert response.status_code == 422
    assert fi("This field is required.") in response.text
    assert 'id="comment-body"' in response.text
    assert re.search(r'id="comment-body"[^>]*aria-invalid="true"', response.text)
    # The initiative's own page, shown again with the error.
    assert response.text.count("<h1") == 1
    assert world["initiative"].title in response.text
    assert comments(session) == []


def test_empty_reply_error_is_tied_to_its_reply_field(client, session, world):
    initiative = world["initiative"]
    top = InitiativeComment(initiative_id=initiative.id, author_id=world["chair"].id, body="Hei")
    session.add(top)
    session.commit()
    client.login_as(session, world["resident"])
    response = client.submit(
        f"/initiatives/{initiative.id}/comments", {"body": "", "parent_id": str(top.id)}
    )
    assert response.status_code == 422
    assert re.search(rf'id="reply-body-{top.id}"[^>]*aria-invalid="true"', response.text)
    assert not re.search(r'id="comment-body"[^>]*aria-invalid', response.text)
    assert f'href="#reply-body-{top.id}"' in response.text
    assert len(comments(session)) == 1


def test_too_long_comment_keeps_the_text(client, session, world):
    client.login_as(session, world["resident"])
    text = "pitkä " * 2000
    response = client.submit(f"/initiatives/{world['initiative'].id}/comments", {"body": text})
    assert response.status_code == 422
    assert fi("Enter at most %(n)s characters.", n=10000) in response.text
    assert "pitkä pitkä" in response.text
    assert comments(session) == []


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [("outsider", "initiative", 404), ("resident", "draft", 404), ("chair", "draft", 403)],
)
def test_who_may_not_comment(client, session, world, who, target, status):
    client.login_as(session, world[who])
    response = client.submit(f"/initiatives/{world[target].id}/comments", {"body": "Hei"})
    assert response.status_code == status
    assert comments(session) == []


def test_anonymous_is_sent_to_login(client, session, world):
    response = client.submit(f"/initiatives/{world['initiative'].id}/comments", {"body": "Hei"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# ---- attachments ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["valaistus.pdf", "piha.png", "kirje.docx", "budjetti.ods"])
def test_upload_and_download(client, session, world, folder, name):
    content, content_type = SAMPLES[name]
    initiative = world["initiative"]
    client.login_as(session, world["chair"])
    response = upload(client, f"/initiatives/{initiative.id}/attachments", name, content)
    [attachment] = attachments(session)
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/initiatives/{initiative.id}#attachment-{attachment.id}"
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert len(stored(folder)) == 1

    client.login_as(session, world["resident"])
    response = client.get(f"/initiatives/{initiative.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"].startswith(content_type)
    assert response.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{name}" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["cache-control"] == "private, no-store"


def test_manager_may_attach(client, session, world, folder):
    client.login_as(session, world["manager"])
    content, _ = SAMPLES["vanha.xls"]
    response = upload(
        client, f"/initiatives/{world['initiative'].id}/attachments", "v.xls", content
    )
    assert response.status_code == 303
    assert len(attachments(session)) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", EXECUTABLE), ("lasku.pdf", EXECUTABLE), ("kuva.svg", b"<svg/>")],
)
def test_refused_upload_is_shown_again_and_nothing_is_stored(
    client, session, world, folder, name, content
):
    client.login_as(session, world["chair"])
    response = upload(client, f"/initiatives/{world['initiative'].id}/attachments", name, content)
    assert response.status_code == 422
    assert re.search(r'id="attachment-file"[^>]*aria-invalid="true"', response.text)
    assert 'href="#attachment-file"' in response.text
    assert stored(folder) == []
    assert attachments(session) == []


def test_oversize_upload_is_refused(client, session, world, folder, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1000)
    client.login_as(session, world["chair"])
    content = b"%PDF-1.7\n".ljust(1001, b"0")
    response = upload(
        client, f"/initiatives/{world['initiative'].id}/attachments", "a.pdf", content
    )
    assert response.status_code == 422
    assert stored(folder) == [] and attachments(session) == []


def test_upload_without_a_file_or_csrf(client, session, world, folder):
    client.login_as(session, world["chair"])
    url = f"/initiatives/{world['initiative'].id}/attachments"
    response = client.submit(url, {})
    assert response.status_code == 422
    response = upload(client, url, "a.pdf", b"%PDF-1.7\n", with_csrf=False)
    assert response.status_code == 403
    assert stored(folder) == [] and attachments(session) == []


def test_resident_may_not_attach(client, session, world, folder):
    client.login_as(session, world["resident"])
    response = upload(
        client, f"/initiatives/{world['initiative'].id}/attachments", "a.pdf", b"%PDF-"
    )
    assert response.status_code == 403
    assert stored(folder) == []


def test_other_house_and_wrong_initiative_get_404(client, session, world, folder):
    initiative = world["initiative"]
    client.login_as(session, world["chair"])
    upload(client, f"/initiatives/{initiative.id}/attachments", "a.pdf", b"%PDF-1.7\n")
    [attachment] = attachments(session)
    client.login_as(session, world["outsider"])
    assert (
        client.get(f"/initiatives/{initiative.id}/attachments/{attachment.id}").status_code == 404
    )
    client.login_as(session, world["resident"])
    url = f"/initiatives/{world['other'].id}/attachments/{attachment.id}"
    assert client.get(url).status_code == 404
    assert client.get(f"/initiatives/{initiative.id}/attachments/999999").status_code == 404


# ---- following -----------------------------------------------------------------------------


def test_follow_and_unfollow(client, session, world):
    initiative = world["initiative"]
    person = world["resident"]
    client.login_as(session, person)
    response = client.submit(f"/initiatives/{initiative.id}/follow")
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{initiative.id}#follow"
    assert session.get(InitiativeFollower, (initiative.id, person.id)) is not None
    client.submit(f"/initiatives/{initiative.id}/follow")  # twice is fine
    response = client.submit(f"/initiatives/{initiative.id}/unfollow")
    assert response.status_code == 303
    assert session.get(InitiativeFollower, (initiative.id, person.id)) is None


def test_outsider_cannot_follow(client, session, world):
    client.login_as(session, world["outsider"])
    response = client.submit(f"/initiatives/{world['initiative'].id}/follow")
    assert response.status_code == 404
    assert session.exec(select(InitiativeFollower)).all() == []


# ---- the partial ---------------------------------------------------------------------------


def render_partial(session, initiative, person, **extra) -> str:
    user = load_principal(session, person, today())
    context = {"initiative": initiative, "user": user, "csrf_token": "token-123"}
    context.update(comments_service.discussion_context(session, initiative, user))
    context.update(extra)
    return env.get_template("initiatives/_discussion.html").render(context)


def test_partial_shows_comments_attachments_and_forms(client, session, world, folder):
    initiative = world["initiative"]
    client.login_as(session, world["resident"])
    client.submit(f"/initiatives/{initiative.id}/comments", {"body": "Kannatan."})
    [top] = comments(session)
    client.submit(f"/initiatives/{initiative.id}/follow")
    client.login_as(session, world["chair"])
    client.submit(
        f"/initiatives/{initiative.id}/comments", {"body": "Kiitos!", "parent_id": top.id}
    )
    upload(client, f"/initiatives/{initiative.id}/attachments", "Pöytäkirja.pdf", b"%PDF-1.7\n")
    [attachment] = attachments(session)

    html = render_partial(session, initiative, world["resident"])
    assert "Kannatan." in html and "Kiitos!" in html
    assert html.index("Kannatan.") < html.index("Kiitos!")
    assert "Risto Rappu" in html and "Tuula Tuoli" in html
    assert f'id="comment-{top.id}"' in html
    assert fi("Your reply to the comment of %(name)s", name="Risto Rappu") in html
    assert f'for="reply-body-{top.id}"' in html and 'for="comment-body"' in html
    assert f'href="/initiatives/{initiative.id}/attachments/{attachment.id}"' in html
    assert "Pöytäkirja.pdf" in html
    assert f'action="/initiatives/{initiative.id}/unfollow"' in html
    assert 'value="token-123"' in html
    # A resident sees the files but may not attach one.
    assert 'type="file"' not in html
    assert "<h1" not in html

    html = render_partial(session, initiative, world["chair"])
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'accept=".pdf,' in html
    assert f'action="/initiatives/{initiative.id}/follow"' in html
    assert (
        fi(
            "Allowed types: %(types)s. The largest allowed size is %(size)s MB.",
            types="PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, TXT",
            size="10",
        )
        in html
    )


def test_partial_on_a_draft_has_no_comment_form(session, world):
    html = render_partial(session, world["draft"], world["chair"])
    assert 'name="body"' not in html
    assert fi("Comments can be written once the initiative is no longer a draft.") in html


def test_initiative_page_includes_the_discussion(client, session, world, folder):
    initiative = world["initiative"]
    client.login_as(session, world["chair"])
    client.submit(f"/initiatives/{initiative.id}/comments", {"body": "Ehdotan valoja."})
    upload(client, f"/initiatives/{initiative.id}/attachments", "kuva.png", SAMPLES["piha.png"][0])
    page = client.get(f"/initiatives/{initiative.id}")
    assert page.status_code == 200
    assert "Ehdotan valoja." in page.text and "kuva.png" in page.text
    assert 'id="attachment-file"' in page.text
    assert f'action="/initiatives/{initiative.id}/follow"' in page.text
    client.submit(f"/initiatives/{initiative.id}/follow")
    page = client.get(f"/initiatives/{initiative.id}")
    assert f'action="/initiatives/{initiative.id}/unfollow"' in page.text
    client.login_as(session, world["resident"])
    page = client.get(f"/initiatives/{initiative.id}")
    assert "Ehdotan valoja." in page.text and 'id="attachment-file"' not in page.text
