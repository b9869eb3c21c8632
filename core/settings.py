"""The one settings object, read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.clock import zone

PLACEHOLDER_MARKERS = ("changeme", "change-me", "your-", "xxx", "<", "placeholder")

EmbeddingBackend = Literal["local", "openai"]


def _is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


class Settings(BaseSettings):
    """Badger's configuration; every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    badger_data_dir: Path = Field(default=Path(".badger"), description="Holds the SQLite file and Chroma index.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in the data dir.")
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server.")
    chroma_collection: str = "credentials"

    catalogue_recheck_seconds: float = Field(
        default=1.0, ge=0, description="How often a running process looks for catalogue changes made elsewhere.")

    embedding_backend: EmbeddingBackend = "local"
    embedding_model: str = Field(default="", description="Default all-MiniLM-L6-v2 (local) or text-embedding-3-small.")
    # 16 keeps the encoder's working memory small (peak RSS) at no cost in throughput on 2 cores.
    embedding_batch_size: int = Field(default=16, ge=1, le=2048)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"

    badger_approval_cost_threshold: float = Field(
        default=500, ge=0, description="Enrolments in credentials costing more than this need the manager's approval."
    )
    badger_approval_required_for_all: bool = Field(
        default=False, description="Every enrolment needs the manager's approval, whatever it costs."
    )

    slack_bot_token: SecretStr | None = Field(default=None, description="xoxb- token of the Slack app.")
    slack_signing_secret: SecretStr | None = Field(default=None, description="Checks HTTP requests come from Slack.")
    slack_app_token: SecretStr | None = Field(default=None, description="xapp- token: Socket Mode when set.")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL.")
    badger_slack_workers: int = Field(
        default=4, ge=1, le=64, description="Threads answering Slack (search, LLM) after the ack.")
    badger_answer_processes: int = Field(
        default=1, ge=0, le=16, description="Processes answering Slack questions (0: threads in the serving "
                                            "process); their own GIL keeps acks fast under bursts.")
    badger_outbox_interval_seconds: float = Field(
        default=2.0, gt=0, description="How often the serving process looks for notices to post.")

    badger_timezone: str = Field(default="UTC", description="The scheduler's timezone (IANA name).")
    badger_shoutout_channel: str = Field(default="#learning", description="Where shoutouts go unless a team "
                                                                          "has its own channel.")
    badger_shoutout_hold_minutes: float = Field(default=10, ge=0, description="How long a manager may hold a "
                                                                             "shoutout before it posts.")
    badger_working_hours: str = Field(default="9-17", description="Local hours (start-end) reminders are sent in.")
    badger_stalled_days: int = Field(default=14, ge=1, description="No progress for this long: a nudge.")
    badger_due_soon_days: int = Field(default=3, ge=0, description="Due within this many days: a reminder.")
    badger_nomination_reminder_days: int = Field(default=3, ge=1, description="Unanswered nomination: a nudge.")
    badger_approval_reminder_days: int = Field(default=2, ge=1, description="Pending approval: a manager nudge.")
    badger_catalogue_sources: list[Path] = Field(default_factory=list, description="Catalogue files re-synced on "
                                                                                    "a schedule (JSON list).")

    log_level: str = "INFO"
    log_json: bool = False

    # --- issue 12: durable work queue, shutdown, production HTTP server ---
    badger_work_lease_seconds: float = Field(
        default=60.0, gt=0, description="How long an answer worker holds a claimed question before another "
                                        "replica may take it over (a worker that died).")
    badger_work_poll_seconds: float = Field(
        default=0.5, gt=0, description="How often an idle answer worker looks for questions other replicas queued.")
    badger_scheduler_lease_seconds: float = Field(
        default=60.0, ge=2, description="How long the scheduler's leader holds its lease; a replica that died is "
                                        "replaced as leader within about this long.")
    badger_shutdown_grace_seconds: float = Field(
        default=20.0, ge=0, description="On SIGTERM, how long answers in hand may take before the process exits "
                                        "(keep below the orchestrator's kill timeout).")
    badger_forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated, or *).")
    badger_http_max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body "
                                                                                    "accepted (413 above).")
    badger_http_keepalive_seconds: float = Field(default=75.0, gt=0, description="Idle keep-alive connection "
                                                                                 "timeout (above the LB's).")
    # --- issue 12: deliverer concurrency ---
    badger_outbox_concurrency: int = Field(
        default=16, ge=1, le=64, description="Threads posting outbox notices at once, each to its own recipient "
                                            "(one post a second per channel still holds).")

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
        return upper

    @field_validator("openai_api_key")
    @classmethod
    def _no_placeholder_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (not value.get_secret_value().strip()):
            return None
        if value is not None and _is_placeholder(value.get_secret_value()):
            raise ValueError("OPENAI_API_KEY looks like a placeholder from .env.example; set a real key or remove it")
        return value

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token")
    @classmethod
    def _no_placeholder_slack(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if _is_placeholder(value.get_secret_value()):
            raise ValueError("a Slack token looks like a placeholder from .env.example; set the real one or remove it")
        return value

    @field_validator("badger_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if zone(value) is None:
            raise ValueError(f"BADGER_TIMEZONE must be an IANA timezone such as Europe/London, not {value!r}")
        return value

    @field_validator("badger_working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        start, _, end = value.partition("-")
        if not (start.strip().isdigit() and end.strip().isdigit() and 0 <= int(start) < int(end) <= 24):
            raise ValueError(f"BADGER_WORKING_HOURS must look like 9-17 (start before end, 0-24), not {value!r}")
        return f"{int(start)}-{int(end)}"

    @property
    def working_hours(self) -> tuple[int, int]:
        """(start, end) local hours in which reminders go out."""
        start, end = self.badger_working_hours.split("-")
        return int(start), int(end)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"SLACK_API_URL must be an http(s) URL, not {value!r}")
        return value if value.endswith("/") else value + "/"

    @property
    def slack_configured(self) -> bool:
        """True when the Slack app can run: a bot token and (Socket Mode) an app token or (HTTP) a signing secret."""
        return self.slack_bot_token is not None and (
            self.slack_app_token is not None or self.slack_signing_secret is not None)

    @field_validator("database_url", "chroma_url", "openai_base_url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _openai_embeddings_need_key(self) -> Settings:
        if self.embedding_backend == "openai" and self.openai_api_key is None:
            raise ValueError("EMBEDDING_BACKEND=openai needs OPENAI_API_KEY")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.badger_data_dir / 'badger.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        """Where the embedded Chroma index is stored."""
        return self.badger_data_dir / "chroma"

    @property
    def resolved_embedding_model(self) -> str:
        """The embedding model name for the configured backend."""
        if self.embedding_model:
            return self.embedding_model
        if self.embedding_model_path is not None and self.embedding_backend == "local":
            return f"local:{self.embedding_model_path.resolve().name}"
        return "all-MiniLM-L6-v2" if self.embedding_backend == "local" else "text-embedding-3-small"

    # --- issue 14: issuing Open Badges 3.0 ---
    badger_issuer_name: str = Field(default="", description="The issuing organisation's name (the badge says who "
                                                            "issued it); needed to issue.")
    badger_issuer_url: str | None = Field(default=None, description="The organisation's home page (https).")
    badger_issuer_image: str | None = Field(default=None, description="The organisation's logo URL (https).")
    badger_issuer_email: str | None = Field(default=None, description="Contact address in the issuer profile.")
    badger_issuer_domain: str | None = Field(default=None, description="did:web domain (e.g. badges.example.org); "
                                                                       "unset: the issuer is a did:key.")
    badger_issuer_key_path: Path | None = Field(default=None, description="The Ed25519 key file (default "
                                                                          "<data dir>/issuer-keys.json, mode 0600).")
    badger_issuer_proof_format: Literal["eddsa-rdfc-2022", "vc-jwt"] = Field(
        default="eddsa-rdfc-2022", description="Proof of issued badges: Data Integrity or VC-JWT.")
    badger_public_url: str | None = Field(default=None, description="Where `badger serve --http` is reachable "
                                                                    "(credential pages, status lists); default "
                                                                    "https://<issuer domain>.")

    @property
    def issuer_key_path(self) -> Path:
        """The issuer's key file."""
        return self.badger_issuer_key_path or self.badger_data_dir / "issuer-keys.json"

    @property
    def public_base_url(self) -> str | None:
        """The public base URL without a trailing slash, or None when neither it nor a domain is set."""
        if self.badger_public_url:
            return self.badger_public_url.rstrip("/")
        return f"https://{self.badger_issuer_domain}" if self.badger_issuer_domain else None
    # --- issue 16: the L&D console ---
    badger_console_secret: SecretStr | None = Field(
        default=None, description="Signs one-time console links; set it when several replicas serve the console "
        "(otherwise a key file in the data dir).")
    badger_console_url: str = Field(
        default="", description="The console's public URL (https://badger.example.com/console), used in links.")
    badger_console_port: int = Field(default=8765, ge=0, le=65535, description="Port of `badger console`.")
    badger_console_session_hours: float = Field(default=12.0, gt=0)
    badger_console_link_minutes: float = Field(default=10.0, gt=0, le=60)
    badger_console_upload_mb: float = Field(default=5.0, gt=0)
    badger_console_login_per_minute: int = Field(default=10, ge=1, description="Sign-in attempts per client.")
    badger_console_oidc_client_id: str | None = Field(default=None, description="Sign in with Slack (OpenID).")
    badger_console_oidc_client_secret: SecretStr | None = None
    badger_console_oidc_issuer: str = "https://slack.com"
    # --- issue 17: learning records out (xAPI), data rights and retention ---
    badger_retention_days_conversations: int = Field(
        default=90, ge=0, description="Conversation turns older than this are purged (0: kept forever).")
    badger_retention_days_events: int = Field(
        default=2, ge=0, description="Received Slack event ids older than this are purged (0: kept forever).")
    badger_retention_days_notices: int = Field(
        default=180, ge=0, description="Delivered (or given-up) notices older than this are purged (0: kept).")
    badger_retention_batch: int = Field(default=1000, ge=1, le=100_000, description="Rows purged per transaction.")
    xapi_endpoint: str | None = Field(default=None, description="The LRS's xAPI base URL (…/xapi/); unset: off.")
    xapi_username: str | None = Field(default=None, description="Basic auth user (with XAPI_PASSWORD).")
    xapi_password: SecretStr | None = None
    xapi_token: SecretStr | None = Field(default=None, description="Bearer token (instead of Basic auth).")
    xapi_actor: Literal["account", "mbox_sha1sum"] = Field(
        default="account", description="Name people by Slack account (homePage + user id) or by hashed email.")
    xapi_homepage: str = Field(default="https://slack.com", description="The Slack workspace URL (account "
                                                                         "homePage and statement-id namespace).")
    xapi_batch_size: int = Field(default=50, ge=1, le=1000, description="Statements per POST to the LRS.")

    @field_validator("xapi_endpoint")
    @classmethod
    def _xapi_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"XAPI_ENDPOINT must be an http(s) URL, not {value!r}")
        return value if value.endswith("/") else value + "/"
    # --- issue 15: the learner's language, feedback re-ranking, a local embedding model, LLM re-rank ---
    badger_default_language: str = Field(default="en", description="ISO 639-1 language of people whose Slack "
                                                                    "locale and org row say none.")
    badger_feedback_half_life_days: float = Field(default=60, gt=0, description="A vote counts half after this long.")
    badger_llm_rerank: bool = Field(default=False, description="In LLM mode, let the model re-order the top 20 "
                                                               "search results (ids only from those).")
    embedding_model_path: Path | None = Field(default=None, description="A local sentence-transformers model "
                                              "directory to embed with instead of the bundled MiniLM.")

    @field_validator("badger_default_language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        from knowledge.language import locale_language

        code = locale_language(value)
        if code is None:
            raise ValueError(f"BADGER_DEFAULT_LANGUAGE must be a language code such as en or es, not {value!r}")
        return code


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
