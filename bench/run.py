"""The runner: the portal against the ceiling, side by side, on the same database.

    python -m bench.run --url sqlite:///var/bench.db [--duration 10] [--soak 60]

Starts the portal (one uvicorn process) and the ceiling (bench/ceiling.py, one uvicorn
process), logs in through the real login form and the OAuth2 token endpoint, and drives both
with wrk from a separate process on loopback at 1, 16 and 64 connections. Reports requests per
second, p50/p95/p99 latency, errors, the server's peak memory (VmHWM) and the portal/ceiling
ratio; then the mail, calendar and soak measurements. Writes bench/results/latest.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-password"  # noqa: S105
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"errors\\":%d,\\"status_errors\\":%d," ..
    "\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Result:
    target: str
    server: str
    clients: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    peak_rss_mb: float


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak(pid: int) -> None:
    """Linux resets VmHWM to the current RSS when 5 is written to clear_refs."""
    with suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


@contextmanager
def server(name: str, args: list[str], env: dict[str, str], port: int) -> Iterator[int]:
    """A uvicorn process on a port; yields its pid once it answers."""
    log = open(RESULTS / f"{name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", *args, "--port", str(port), "--no-access-log",
         "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def wrk(url: str, clients: int, seconds: int, headers: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    cmd = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", script.name]  # fmt: skip
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True)  # noqa: S603
    os.unlink(script.name)
    match = re.search(r"BENCHJSON (\{.*\})", out.stdout)
    if not match:
        raise RuntimeError(out.stdout + out.stderr)
    return dict(json.loads(match.group(1)))


def measure(
    target: str, server_name: str, pid: int, url: str, headers: dict[str, str],
    clients: int, seconds: int,
) -> Result:  # fmt: skip
    _reset_peak(pid)
    data = wrk(url, clients, seconds, headers)
    return Result(
        target=target,
        server=server_name,
        clients=clients,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        errors=data["errors"] + data["status_errors"],
        peak_rss_mb=_rss_mb(pid, "VmHWM"),
    )


def login(base: str) -> tuple[str, str]:
    """A session cookie through the real login form, and a bearer token through OAuth2."""
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        csrf = client.cookies.get("portal_csrf")
        answer = client.post(
            "/login",
            data={"email": "bench-chair@bench.invalid", "password": PASSWORD, "next": "/",
                  "csrf_token": csrf},
        )  # fmt: skip
        if answer.status_code >= 400 or not client.cookies.get("portal_session"):
            raise RuntimeError(f"login failed: {answer.status_code}")
        cookie = client.cookies["portal_session"]
        token = client.post(
            "/api/v1/auth/token",
            data={"username": "bench-chair@bench.invalid", "password": PASSWORD},
        ).json()["access_token"]
    return cookie, token


def ids(url: str) -> dict[str, int]:
    """An initiative with a history and comments, and the latest published forum session."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        initiative = conn.execute(
            text(
                "SELECT i.id FROM initiative i"
                " LEFT JOIN initiative_comment c ON c.initiative_id = i.id"
                " WHERE i.house_id = 1 AND i.state NOT IN ('draft', 'suggested', 'declined')"
                " GROUP BY i.id ORDER BY COUNT(c.id) DESC, i.id LIMIT 1"
            )
        ).scalar_one()
        forum = conn.execute(
            text(
                "SELECT id FROM forum_session WHERE agenda_published_at IS NOT NULL"
                " ORDER BY starts_at DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return {"initiative": initiative, "forum": forum}


def targets(found: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """(name, portal path, ceiling path, auth) for every measured page."""
    i, f = found["initiative"], found["forum"]
    return [
        ("initiative list page", "/initiatives", "/initiatives", "cookie"),
        ("initiative list API", "/api/v1/initiatives", "/initiatives", "bearer"),
        ("initiative page", f"/initiatives/{i}", f"/initiatives/{i}", "cookie"),
        ("calendar page", "/calendar", "/calendar", "cookie"),
        ("forum agenda", f"/forum/sessions/{f}", f"/forum/sessions/{f}", "cookie"),
        ("front page", "/", "/", "cookie"),
        ("house finance page", "/houses/1/finances", "/houses/1/finances", "cookie"),
    ]


# ---- mail -----------------------------------------------------------------------------------


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[int]]]:
    from aiosmtpd.controller import Controller

    count = [0]

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            count[0] += 1
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, count
    finally:
        controller.stop()


def newsletter_bench(url: str, recipients: int) -> dict[str, Any]:
    """A residents' newsletter to `recipients` residents through the portal's own sending
    (audience, delivery rows, send_pending) against a bare smtplib loop with the same mails."""
    os.environ["PORTAL_DATABASE_URL"] = url
    from sqlmodel import Session, col, select

    from app.config import get_settings
    from app.db import make_engine
    from app.models import Delivery, Newsletter
    from app.models.newsletters import NewsletterKind, NewsletterStatus
    from app.services.mail import delivery as mail
    from app.services.newsletters import sending as newsletter_audience

    engine = make_engine(url)
    with smtp_sink() as (port, count):
        settings = get_settings().model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "mail_backend": "smtp"}
        )
        with Session(engine) as session:
            letter = Newsletter(
                kind=NewsletterKind.residents, title="Bench", body_md="Hei **kaikki**.",
                status=NewsletterStatus.scheduled, include_events=True, include_initiatives=True,
            )  # fmt: skip
            session.add(letter)
            session.flush()
            began = time.perf_counter()
            newsletter_audience.send(session, letter)
            session.commit()
            resolve = time.perf_counter() - began
            key = newsletter_audience.message_key(letter)
            written = len(
                session.exec(select(Delivery.id).where(Delivery.message_key == key)).all()
            )
            # Only the first `recipients` are sent: the rest stay pending and are removed below.
            keep = session.exec(
                select(Delivery.id).where(Delivery.message_key == key).order_by(Delivery.id)
                .limit(recipients)
            ).all()  # fmt: skip
            from sqlalchemy import delete

            session.execute(
                delete(Delivery).where(Delivery.message_key == key, ~Delivery.id.in_(keep))  # type: ignore[attr-defined]
            )
            session.commit()
            rows = [
                (d.recipient, d.subject, d.body_text, d.body_html)
                for d in session.exec(
                    select(Delivery).where(col(Delivery.id).in_(keep)).order_by(Delivery.id)
                )
            ]
            sample = session.get(Delivery, keep[0])
            assert sample is not None
        began = time.perf_counter()
        sent = 0
        while True:
            batch = mail.send_pending(engine, settings, limit=5000)
            sent += batch
            if batch == 0:
                break
        portal_seconds = time.perf_counter() - began
        received = count[0]
        # The bare loop: every recipient's own message (their row's subject and bodies, held in
        # memory), built with the standard library and sent over one connection; no database.
        sender = mail.build_message(sample, settings)["From"]
        began = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for number, (address, subject, text, html) in enumerate(rows):
                message = EmailMessage()
                message["From"] = sender
                message["To"] = address
                message["Subject"] = subject
                message["Message-ID"] = f"<bench.{number}@bench.invalid>"
                message.set_content(text)
                message.add_alternative(html, subtype="html")
                client.send_message(message)
        bare_seconds = time.perf_counter() - began
        # The floor: one message built once and sent to every address (only To changes).
        message = mail.build_message(sample, settings)
        began = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for address, *_rest in rows:
                del message["To"]
                message["To"] = address
                client.send_message(message)
        resend_seconds = time.perf_counter() - began
    engine.dispose()
    return {
        "audience_written": written,
        "resolve_seconds": resolve,
        "sent": sent,
        "received_by_sink": received,
        "portal_per_second": sent / portal_seconds,
        "bare_per_second": len(rows) / bare_seconds,
        "ratio": (sent / portal_seconds) / (len(rows) / bare_seconds),
        "one_message_resent_per_second": len(rows) / resend_seconds,
    }


def calendar_generation_bench(url: str) -> dict[str, Any]:
    """A year of calendar events from the default templates for every house."""
    os.environ["PORTAL_DATABASE_URL"] = url
    from sqlmodel import Session

    from app.db import make_engine
    from app.services.calendar import defaults as calendar_defaults
    from app.services.calendar import generation as calendar_generation

    engine = make_engine(url)
    with Session(engine) as session:
        calendar_defaults.ensure_defaults(session)
        session.commit()
        began = time.perf_counter()
        made = calendar_generation.generate(session)
        session.commit()
        seconds = time.perf_counter() - began
    engine.dispose()
    return {"events": len(made), "seconds": seconds, "per_second": len(made) / seconds}


def finance_import_bench(url: str) -> dict[str, Any]:
    """Last year's monthly figures of every house and cost group imported again as CSV (the
    accounting system's corrected export), in as few files as the upload limits allow (rows and
    bytes per file): every row checked, the same months replaced, each replaced figure kept in
    the audit log."""
    os.environ["PORTAL_DATABASE_URL"] = url
    from datetime import date

    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import CostGroup, House, MonthlyActual, Person
    from app.services.finances import imports as finance_import

    engine = make_engine(url)
    today = date.today()
    year = today.year - 1
    with Session(engine) as session:
        admin = session.exec(
            select(Person.id).where(Person.email == "bench-admin@bench.invalid")
        ).one()
        figures = session.exec(
            select(House.code, CostGroup.code, MonthlyActual.month, MonthlyActual.amount)
            .join(House, col(House.id) == MonthlyActual.house_id)
            .join(CostGroup, col(CostGroup.id) == MonthlyActual.cost_group_id)
            .where(
                MonthlyActual.month >= date(year, 1, 1), MonthlyActual.month <= date(year, 12, 1)
            )
            .order_by(MonthlyActual.month, House.code, CostGroup.code)
        ).all()
    # A file replaces whole months of its houses: a house's month never straddles two files.
    months: dict[tuple[str, date], list[str]] = {}
    for house, group, month, amount in figures:
        months.setdefault((house, month), []).append(f"{house};{month:%Y-%m};{group};{amount}")
    chunks: list[list[str]] = [[]]
    for block in months.values():
        if len(chunks[-1]) + len(block) > finance_import.MAX_ROWS:
            chunks.append([])
        chunks[-1].extend(block)
    rows = replaced = 0
    began = time.perf_counter()
    for number, chunk in enumerate(chunks, 1):
        data = ("house;month;group;amount\r\n" + "\r\n".join(chunk) + "\r\n").encode()
        with Session(engine) as session:
            report = finance_import.import_actuals(
                session, data, admin, filename=f"figures-{year}-{number}.csv", today=today
            )
            if not report.ok:
                raise RuntimeError(f"the import refused the file: {report.errors[:3]}")
            session.commit()
        rows += report.rows
        replaced += report.replaced
    seconds = time.perf_counter() - began
    engine.dispose()
    return {
        "year": year, "files": len(chunks), "rows": rows, "replaced": replaced,
        "seconds": seconds, "rows_per_second": rows / seconds,
    }  # fmt: skip


# ---- the table --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "wrk": shutil.which("wrk") or "",
    }


def table(results: list[Result]) -> str:
    lines = [
        "| page | clients | portal req/s | ceiling req/s | ratio | p50 ms | p95 ms | p99 ms "
        "| ceiling p95 ms | errors | portal peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ceiling = {(r.target, r.clients): r for r in results if r.server == "ceiling"}
    for r in results:
        if r.server != "portal":
            continue
        c = ceiling.get((r.target, r.clients))
        ratio = f"{r.rps / c.rps:.2f}" if c and c.rps else "–"
        lines.append(
            f"| {r.target} | {r.clients} | {r.rps:.0f} | {c.rps if c else 0:.0f} | {ratio} "
            f"| {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {c.p95_ms if c else 0:.1f} "
            f"| {r.errors} | {r.peak_rss_mb:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Portal against ceiling, side by side.")
    parser.add_argument("--url", default="sqlite:///var/bench.db")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--soak", type=int, default=60, help="soak seconds at 64 clients; 0: none")
    parser.add_argument("--newsletter", type=int, default=10_000, help="messages sent; 0: none")
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    clients = [int(c) for c in args.clients.split(",")]
    env = {
        "PORTAL_DATABASE_URL": args.url,
        "PORTAL_SCHEDULER_ENABLED": "false",
        "PORTAL_DEBUG": "false",
        "PORTAL_MAIL_BACKEND": "outbox",
        "PORTAL_LOGIN_ATTEMPTS_PER_IP": "1000",
        "BENCH_DATABASE_URL": args.url,
    }
    found = ids(args.url)
    results: list[Result] = []
    extra: dict[str, Any] = {"machine": machine(), "url": args.url, "duration": args.duration}
    portal_port, ceiling_port = _free_port(), _free_port()
    with (
        server("portal", ["app.main:create_app", "--factory"], env, portal_port) as portal_pid,
        server("ceiling", ["bench.ceiling:app"], env, ceiling_port) as ceiling_pid,
    ):
        cookie, token = login(f"http://127.0.0.1:{portal_port}")
        auth = {
            "cookie": {"Cookie": f"portal_session={cookie}"},
            "bearer": {"Authorization": f"Bearer {token}"},
        }
        extra["portal_rss_start_mb"] = _rss_mb(portal_pid)
        only = {o.strip() for o in args.only.split(",") if o.strip()}
        for name, portal_path, ceiling_path, kind in targets(found):
            if only and name not in only:
                continue
            check = httpx.get(
                f"http://127.0.0.1:{portal_port}{portal_path}", headers=auth[kind], timeout=30
            )
            if check.status_code != 200:
                extra.setdefault("skipped", []).append(
                    f"{name}: {portal_path} answers {check.status_code}"
                )
                print(f"skipped {name}: {portal_path} answers {check.status_code}", flush=True)
                continue
            for n in clients:
                for label, pid, port, path in (
                    ("ceiling", ceiling_pid, ceiling_port, ceiling_path),
                    ("portal", portal_pid, portal_port, portal_path),
                ):
                    result = measure(
                        name, label, pid, f"http://127.0.0.1:{port}{path}", auth[kind], n,
                        args.duration,
                    )  # fmt: skip
                    results.append(result)
                    print(json.dumps(asdict(result)), flush=True)
        if args.soak:
            start = _rss_mb(portal_pid)
            samples: list[float] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(5):
                    samples.append(_rss_mb(portal_pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            soak = wrk(f"http://127.0.0.1:{portal_port}/initiatives", 64, args.soak, auth["cookie"])
            stop.set()
            extra["soak"] = {
                "seconds": args.soak,
                "requests": soak["requests"],
                "errors": soak["errors"] + soak["status_errors"],
                "rss_start_mb": start,
                "rss_end_mb": _rss_mb(portal_pid),
                "rss_samples_mb": [round(s) for s in samples],
            }
            print(json.dumps(extra["soak"]), flush=True)
    if args.newsletter:
        extra["newsletter"] = newsletter_bench(args.url, args.newsletter)
        print(json.dumps(extra["newsletter"]), flush=True)
    try:
        extra["finance_import"] = finance_import_bench(args.url)
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the results still count
        extra["finance_import"] = {"error": repr(exc)}
    print(json.dumps(extra["finance_import"]), flush=True)
    try:
        extra["calendar_generation"] = calendar_generation_bench(args.url)
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the results still count
        extra["calendar_generation"] = {"error": repr(exc)}
    print(json.dumps(extra["calendar_generation"]), flush=True)
    (RESULTS / "latest.json").write_text(
        json.dumps({"results": [asdict(r) for r in results], **extra}, indent=2, default=str)
    )
    (RESULTS / "latest.md").write_text(table(results) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
