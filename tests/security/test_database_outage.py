"""When PostgreSQL goes away the portal answers 503 with a clear page, and it recovers by itself
when the database returns. The outage is made with a TCP proxy on loopback in front of the
database server (the server itself keeps running for everyone else)."""

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL
from tests.test_cli import forget_cached_settings_and_engine

pytestmark = pytest.mark.skipif(
    make_url(TEST_DATABASE_URL).get_backend_name() != "postgresql",
    reason="the outage is tested against PostgreSQL",
)


class CuttableProxy:
    """Forwards loopback connections to the database; cut() drops every connection and
    refuses new ones until mend()."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.cut_off = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.cut_off.set()
        with self.lock:
            for s in self.open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.open.clear()

    def mend(self) -> None:
        self.cut_off.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.cut()
        self.listener.close()


@pytest.fixture()
def proxied_client(engine) -> Iterator[tuple[TestClient, CuttableProxy]]:  # type: ignore[no-untyped-def]
    """An app of its own (no test overrides) whose database URL goes through the proxy."""
    url = make_url(TEST_DATABASE_URL)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_DATABASE_URL", proxied)
        patch.setenv("PGCONNECT_TIMEOUT", "3")
        forget_cached_settings_and_engine()
        try:
            from app.main import create_app

            with TestClient(create_app(), follow_redirects=False) as client:
                yield client, proxy
        finally:
            forget_cached_settings_and_engine()
            proxy.stop()
    forget_cached_settings_and_engine()


def test_a_lost_database_gives_503_and_the_app_recovers_by_itself(proxied_client):
    client, proxy = proxied_client
    assert client.get("/healthz").status_code == 200
    # A page that needs the database: the session cookie is looked up.
    client.cookies.set("portal_session", "no-such-session")
    assert client.get("/houses").status_code == 303

    proxy.cut()
    health = client.get("/healthz")
    assert health.status_code == 503
    api = client.get("/api/v1/houses", headers={"Authorization": "Bearer x"})
    assert api.status_code == 503
    assert "detail" in api.json()
    page = client.get("/houses", headers={"Accept-Language": "fi"})
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1" in page.text
    assert "Tilapäisesti poissa käytöstä" in page.text
    assert "Yritä hetken kuluttua uudelleen." in page.text

    proxy.mend()
    assert client.get("/healthz").status_code == 200
    assert client.get("/houses").status_code == 303
    assert client.get("/api/v1/houses", headers={"Authorization": "Bearer x"}).status_code == 401
