"""A mail's subject, plain text and HTML from its templates, in the recipient's language.

Every mail template (app/templates/mail/<name>.html and .txt) writes only its own message; the
layout around it is added here, once for every mail: the HTML document (language, character
set, the subject as its title) and the signature naming the sender, with links to the portal
and to the person's mail choices, in HTML and in text alike.
"""

import re
from email.utils import parseaddr
from typing import Any

from markupsafe import Markup

from app import i18n
from app.config import Settings, get_settings
from app.jinja import env

PREFERENCES_PATH = "/account/notifications"
HTML_LAYOUT = "mail/_layout.html"
TEXT_LAYOUT = "mail/_layout.txt"


def clean_header(value: str) -> str:
    """No line breaks in a header: they would let input add headers of its own."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def signature(settings: Settings, has_account: bool) -> dict[str, str]:
    """Who signs the portal's mail and where its links lead.

    The sender is the display name of PORTAL_MAIL_FROM and the organisation
    PORTAL_ORGANISATION_NAME (one name when they are the same). Someone without an account (an
    outside sender of accessibility feedback) has no mail choices to link to.
    """
    base = settings.base_url.rstrip("/")
    sender = parseaddr(settings.mail_from)[0].strip()
    organisation = settings.organisation_name.strip()
    names = [name for name in (sender, organisation) if name]
    if len(names) == 2 and names[0].casefold() == names[1].casefold():
        names = names[:1]
    return {
        "signed_by": " · ".join(names),
        "portal_url": f"{base}/",
        "preferences_url": f"{base}{PREFERENCES_PATH}" if has_account else "",
    }


# The query parameter with which a link from a mail names its reader's language (the
# middleware's LANGUAGE_HINT): a page reached before logging in speaks the mail's language.
LANGUAGE_HINT = "lang"


def with_language(body: str, lang: str, html: bool) -> str:
    """Every link into the portal in a mail's body, with the reader's language added (once)."""
    base = get_settings().base_url.rstrip("/")
    if not base:
        return body
    joiner = "&amp;" if html else "&"

    def add(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = url[len(url.rstrip(".,;:!?")) :]  # the sentence's punctuation, not the link's
        url = url[: len(url) - len(trail)]
        path, hashmark, fragment = url.partition("#")
        # An unsubscribe address speaks its person's language by itself, and is put into each
        # newsletter copy after rendering: left as it is.
        if path.startswith(f"{base}/unsubscribe/") or re.search(rf"[?&;]{LANGUAGE_HINT}=", path):
            return url + trail
        sep = joiner if "?" in path else "?"
        return f"{path}{sep}{LANGUAGE_HINT}={lang}{hashmark}{fragment}{trail}"

    return re.sub(re.escape(base) + r"(?:/[^\s\"'<>)]*)?", add, body)


def render(template: str, lang: str, **context: Any) -> tuple[str, str, str]:
    """Subject, plain text and HTML of mail/<template>, in a language, in the common layout.

    A text rendered for a digest (in_digest) is a part of another mail: it gets no signature.
    Links into the portal carry the reader's language (with_language).
    """
    # A mail rendered once for many readers (a newsletter) names no person; a person without
    # an id is an outside address, not an account.
    person = context.get("person")
    frame = signature(get_settings(), person is None or person.id is not None)
    with i18n.use_language(lang):
        subject = env.get_template(f"mail/{template}.subject.txt").render(**context).strip()
        subject = clean_header(subject)
        text = env.get_template(f"mail/{template}.txt").render(**context)
        html = env.get_template(f"mail/{template}.html").render(**context)
        if not context.get("in_digest"):
            text = env.get_template(TEXT_LAYOUT).render(content=text.strip("\n"), **frame)
            html = env.get_template(HTML_LAYOUT).render(
                subject=subject,
                # The mail template's own output, escaped as it was rendered (autoescape on).
                content=Markup(html.strip("\n")),  # noqa: S704
                **frame,
            )
    return subject, with_language(text, lang, False), with_language(html, lang, True)
