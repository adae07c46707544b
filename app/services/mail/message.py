"""A delivery as a MIME message: plain text with an HTML alternative, its calendar invitation
attached, and the headers mail programs expect (Date, Message-ID, Content-Language, and the
one-click unsubscribe of a newsletter)."""

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from app import i18n
from app.config import Settings
from app.models.mail import Delivery
from app.models.types import HELSINKI, utcnow
from app.services.mail.rendering import clean_header


class _Verbatim(str):
    """A header written as it is: the default policy would RFC 2047-encode a long address,
    which mail providers do not decode in List-Unsubscribe. Only checked values get here."""

    name: str

    def __new__(cls, name: str, value: str) -> "_Verbatim":
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        """The header line, unfolded (an address of a few hundred characters fits a line)."""
        return f"{self.name}: {self}{policy.linesep}"


def _unsubscribe_header(url: str) -> str | None:
    """<url> for List-Unsubscribe; None unless an http(s) address of header-safe characters."""
    if not re.fullmatch(r"https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]{1,900}", url or ""):
        return None
    return _Verbatim("List-Unsubscribe", f"<{url}>")


def _ics_method(ics: str) -> str:
    """An invitation's iTIP method (REQUEST, CANCEL ...), for its Content-Type."""
    found = re.search(r"^METHOD:([A-Z-]{1,20})\r?$", ics, re.MULTILINE)
    return found.group(1) if found else "PUBLISH"


def build_message(
    delivery: Delivery,
    settings: Settings,
    message_id: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The MIME message for a delivery: plain text with an HTML alternative, and its calendar
    invitation attached; dated now (or `now`), in its language; a new Message-ID unless one is
    given."""
    message = EmailMessage()
    name, addr = parseaddr(settings.mail_from)
    message["From"] = formataddr((name, addr))
    message["To"] = str(Address(addr_spec=delivery.recipient))
    message["Subject"] = clean_header(delivery.subject)
    message["Date"] = format_datetime((now or utcnow()).astimezone(HELSINKI))
    message["Message-ID"] = message_id or make_msgid(domain=addr.split("@")[-1] or None)
    message["Auto-Submitted"] = "auto-generated"
    unsubscribe = _unsubscribe_header(delivery.unsubscribe_url)
    if unsubscribe:
        # RFC 2369 and RFC 8058: the mail provider's unsubscribe button POSTs to the address.
        message["List-Unsubscribe"] = unsubscribe
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(delivery.body_text)
    if delivery.body_html:
        message.add_alternative(delivery.body_html, subtype="html")
    if delivery.ics:
        # RFC 6047: a calendar program reads the method from the part's Content-Type too.
        method = _ics_method(delivery.ics)
        message.add_attachment(
            delivery.ics,
            subtype="calendar",
            filename="cancel.ics" if method == "CANCEL" else "invite.ics",
            params={"method": method},
        )
    # Last: making the message multipart moves the Content-* headers set before into its part.
    message["Content-Language"] = _language(delivery, settings)
    return message


def _language(delivery: Delivery, settings: Settings) -> str:
    """The language a mail is written in: as queued, else the one its HTML part declares (a row
    written without it), else the default."""
    if delivery.language in i18n.LANGUAGES:
        return delivery.language
    declared = re.search(r'<html lang="([a-z]{2})"', delivery.body_html[:1000])
    if declared and declared.group(1) in i18n.LANGUAGES:
        return declared.group(1)
    return settings.default_language
