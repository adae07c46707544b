"""PDFs from HTML fetch nothing: no image, style sheet or font from the network or a file."""

import socket
import threading

import pytest

from app.services.platform import pdf
from tests.support_households import pdf_pages


@pytest.fixture()
def listener():
    """A TCP server on loopback that counts the connections made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _address = server.accept()
            except OSError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(2)
        server.close()


def test_a_pdf_fetches_nothing(listener, tmp_path):
    port, accepted = listener
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LUOTTAMUKSELLINEN'; }", encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    html = f"""<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>T</title>
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="stylesheet" href="file://{secret}">
    <style>@import url("{base}/more.css");
    @font-face {{ font-family: X; src: url("{base}/f.woff"); }}</style>
    </head><body><p>Hei äiti</p><img src="{base}/kuva.png" alt="kuva"></body></html>"""
    content = pdf.render(html, "print.css")
    (page,) = pdf_pages(content)
    assert "Hei äiti" in page and "LUOTTAMUKSELLINEN" not in page
    assert accepted == []


def test_only_the_print_style_sheets_are_read():
    assert "@page" in pdf.stylesheet("print.css")
    for name in ("../base.html", "print.html", "../../config.py"):
        with pytest.raises(ValueError):
            pdf.stylesheet(name)
