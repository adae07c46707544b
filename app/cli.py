"""The `portal` command: run, migrate, seed, calendar-defaults, create-admin, worker, db-ping,
backup, restore."""

import getpass
import sys
from pathlib import Path

import typer

app = typer.Typer(help="Asukasportaali: the resident-participation portal.", no_args_is_help=True)


@app.callback()
def _start() -> None:
    """Asukasportaali: the resident-participation portal."""
    # Every command that writes finance figures renews their cache token (see the module).
    from app.services.finances import cache as finance_cache

    finance_cache.register()


def _alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    from app.config import ROOT

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if url:
        config.attributes["url"] = url
    return config


@app.command()
def migrate(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply the database migrations."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)
    from app.config import get_settings
    from app.db import use_write_ahead_log

    use_write_ahead_log(get_settings().database_url)
    typer.echo("Database is up to date.")


@app.command()
def seed(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only into an empty database"),
) -> None:
    """Load the demo data (idempotent: twice leaves the same data)."""
    from app.db import session_scope
    from app.demo import load as demo

    with session_scope() as session:
        if if_empty and not demo.is_empty(session):
            typer.echo("The database has data: demo data not loaded.")
            return
        summary = demo.load(session)
    typer.echo(summary)


@app.command("calendar-defaults")
def calendar_defaults(
    months: int = typer.Option(12, help="Generate the events of this many coming months"),
) -> None:
    """Load the annual calendar's default templates (idempotent) and generate their events."""
    from app.db import session_scope
    from app.services.calendar import defaults as defaults_service
    from app.services.calendar import generation as calendar_generation

    with session_scope() as session:
        templates = defaults_service.ensure_defaults(session)
        events = calendar_generation.generate(session, months=months)
    typer.echo(
        f"Annual calendar: added {len(templates)} default templates and {len(events)} events."
    )


@app.command("finance-defaults")
def finance_defaults() -> None:
    """Add the standard cost groups of the house finances that are missing (idempotent)."""
    from app.db import session_scope
    from app.services.finances import figures as finances_service

    with session_scope() as session:
        added = finances_service.ensure_default_groups(session)
    typer.echo(f"House finances: added {added} cost groups.")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option(..., prompt=True),
    password: str = typer.Option(
        "", help="Leave empty to be asked; an empty answer leaves login by email link only"
    ),
) -> None:
    """Create (or promote) an administrator."""
    from app.db import session_scope
    from app.models.people import PersonCreate, StaffKind
    from app.services.accounts import auth as auth_service
    from app.services.bodies import people as people_service

    if not password and sys.stdin.isatty():
        password = getpass.getpass("Password (empty: login by email link only): ")
    with session_scope() as session:
        person = people_service.by_email(session, email)
        if person is None:
            person = people_service.create(session, PersonCreate(name=name, email=email), None)
        people_service.grant(session, person, StaffKind.admin, None)
        if password:
            auth_service.set_password(session, person, password)
    typer.echo(f"{email} is an administrator.")


@app.command()
def run(
    host: str | None = typer.Option(None, help="Address to listen on (PORTAL_HOST)"),
    port: int | None = typer.Option(None, help="Port (PORTAL_PORT)"),
    demo: bool = typer.Option(
        False, "--demo", help="Migrate, load demo data if empty, print logins"
    ),
    workers: int = typer.Option(1, help="Web worker processes"),
) -> None:
    """Start the web app (and, unless disabled, its scheduler)."""
    import uvicorn

    from app.config import get_settings

    settings = get_settings()
    if demo:
        migrate("head")
        seed(if_empty=True)
        from app.demo import load as demo_service

        typer.echo(demo_service.logins_text())
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
    )


@app.command()
def worker() -> None:
    """Run the scheduler on its own, for deployments with several web workers or hosts.

    On PostgreSQL it runs the jobs only while it holds the scheduler lock: a second worker (or
    a web process with the scheduler enabled) waits and takes over if the first one dies. It
    runs until SIGTERM or SIGINT (Ctrl-C), then stops the jobs and releases the lock.
    """
    import signal
    import threading

    from app import scheduler

    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start(force=True)
    runner = scheduler.current()
    if runner is not None and runner.active:
        typer.echo("Scheduler running; Ctrl-C stops it.")
    else:
        typer.echo("Another scheduler is active; waiting to take over. Ctrl-C stops.")
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        scheduler.shutdown()
    typer.echo("Scheduler stopped.")


@app.command("db-ping")
def db_ping(
    url: str = typer.Argument(None, help="Database URL (default: PORTAL_DATABASE_URL)"),
) -> None:
    """Exit 0 if the database answers, 1 if not."""
    from sqlalchemy import text

    from app.config import get_settings
    from app.db import make_engine

    engine = make_engine(url or get_settings().database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        typer.echo(f"Database not reachable: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@app.command()
def backup(
    file: Path = typer.Argument(..., help="The backup file to write"),
) -> None:
    """Back up the database to a file while the portal runs (SQLite: online backup;
    PostgreSQL: pg_dump's custom format)."""
    from app.config import get_settings
    from app.services.platform import backup as backup_service

    try:
        backup_service.backup(get_settings().database_url, file)
    except backup_service.BackupFailed as exc:
        typer.echo(f"Backup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Database backed up to {file}.")


@app.command()
def restore(
    file: Path = typer.Argument(..., help="A file written by `portal backup`"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation"),
) -> None:
    """Replace the database's contents with a backup (stop the portal first)."""
    from app.config import get_settings
    from app.db import get_engine
    from app.services.platform import backup as backup_service

    if not yes and not typer.confirm("Everything in the database is replaced. Continue?"):
        raise typer.Exit(1)
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    try:
        backup_service.restore(get_settings().database_url, file)
    except backup_service.BackupFailed as exc:
        typer.echo(f"Restore failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Database restored from {file}.")


def main() -> None:
    """Entry point of the `portal` script."""
    app()
