"""Settings read from the environment (prefix PORTAL_); every one is documented in README.md."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """The portal's settings."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'portal.db'}"
    # Reserved for signing short-lived state (single sign-on); set a long random value.
    secret_key: str = Field(default="dev-insecure-secret-change-me", min_length=16)
    debug: bool = False
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000

    default_language: str = "fi"

    # "smtp", "outbox" (kept in the delivery table only, shown at /dev/outbox in debug mode),
    # or "auto": outbox in debug mode, SMTP otherwise.
    mail_backend: str = "auto"
    mail_from: str = "Asukasportaali <noreply@asukasportaali.invalid>"
    # The company behind the portal: it signs the portal's mail (with the sender's name) and
    # is named as the organiser of the calendar's events.
    organisation_name: str = "Haso"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 10.0

    session_days: int = 14
    cookie_secure: bool = False
    magic_link_minutes: int = 15
    access_token_minutes: int = 60
    login_attempts_per_ip: int = 20
    login_attempts_per_account: int = 5
    login_attempt_window_minutes: int = 15

    scheduler_enabled: bool = True
    meeting_notice_days: int = 14
    committee_max_term_days: int = 731
    yte_seats: int = 10

    initiative_receipt_days: int = 14
    initiative_answer_days: int = 60
    initiative_reminder_days: int = 7
    attachment_dir: Path = ROOT / "var" / "attachments"
    attachment_max_bytes: int = 10 * 1024 * 1024
    # Request bodies above this are refused (413) before they are read; never below the
    # attachment limit plus room for the form around it.
    max_request_bytes: int = 2 * 1024 * 1024
    # Requests served at once by one process; more wait their turn (bench/README.md).
    max_concurrent_requests: int = Field(default=4, ge=1, le=200)
    # The fewest houses an average or a profile may cover when shown to someone who may not see
    # each of them: a smaller group would single a house out.
    min_comparison_houses: int = Field(default=3, ge=1, le=100)
    # PostgreSQL: how long to wait for a connection, for one statement (0: no limit), and after
    # how many seconds of silence a connection is known dead (TCP keepalives and user timeout,
    # on both ends, so that a vanished scheduler's lock is released and taken over).
    db_connect_timeout_seconds: int = Field(default=5, ge=1, le=600)
    db_statement_timeout_seconds: int = Field(default=60, ge=0, le=86_400)
    db_dead_connection_seconds: int = Field(default=30, ge=5, le=3_600)
    # How long an SQLite writer waits for another's write lock before failing.
    sqlite_busy_seconds: float = Field(default=30.0, gt=0, le=600)
    forum_notice_days: int = 7

    # The scheduler: a run missed by more than this after downtime is recorded as missed, not
    # run late; a scheduler waiting for PostgreSQL's advisory lock tries again this often.
    scheduler_grace_seconds: int = 3600
    scheduler_lock_retry_seconds: float = 15.0
    scheduler_runs_kept: int = 200  # job runs kept per job (older ones are pruned)
    # A delivery claimed ("sending") longer ago than this by a sender that died is sent again,
    # with the same Message-ID.
    mail_sending_lease_seconds: int = 600

    # Data protection: retention rules applied nightly (app/jobs/data_protection.py). Sent and
    # failed mail deliveries are deleted after this many days, audit entries after this many.
    delivery_retention_days: int = 730
    audit_retention_days: int = 1825
    # Accessibility statement and feedback: the contact address the statement names, and the
    # days within which accessibility feedback must be answered (the act on digital services).
    accessibility_contact_email: str = "asukasportaali@haso.fi"
    accessibility_answer_days: int = 14
    # Single sign-on with OpenID Connect: off while the issuer is empty. The issuer's
    # /.well-known/openid-configuration is read for the endpoints and keys. "staff" lets staff
    # (property managers, management, advisers, administrators) use it; "all" everyone.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_provider_name: str = "Haso"
    oidc_allowed: str = "staff"

    # Elections (ballots): how many candidates a house marks at most by default, how long the
    # nomination runs before the election event and how long the voting stays open from it.
    election_max_choices: int = 6
    election_nomination_days: int = 28
    election_voting_days: int = 7

    @property
    def request_limit(self) -> int:
        """The largest request body accepted, in bytes."""
        return max(self.max_request_bytes, self.attachment_max_bytes + 1024 * 1024)

    @property
    def mail_transport(self) -> str:
        """The mail backend in force: smtp or outbox."""
        if self.mail_backend == "auto":
            return "outbox" if self.debug else "smtp"
        return self.mail_backend


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
