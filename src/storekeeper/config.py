"""Settings from `STOREKEEPER_*` environment variables (docs/configuration.md lists them)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STOREKEEPER_", extra="ignore")

    database_url: str = "sqlite:///./storekeeper.db"
    # SQLite durability: FULL syncs the WAL at every commit, so a committed change survives a
    # power cut; NORMAL is faster and survives any crash of the process but not of the machine.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # How long a writer waits for SQLite's write lock before failing.
    sqlite_busy_timeout_ms: int = 30_000
    db_pool_size: int = 10
    # Requests a server process works on at once (the threads that run endpoints; others wait in
    # line). More threads do not make more CPU: they queue for Python's GIL, and a writer holding
    # a lock that every other writer waits for (SQLite's write lock, the workspace's counters on
    # PostgreSQL) waits for the GIL among them at every statement. docs/performance.md measures it.
    request_threads: int = Field(default=4, ge=1)
    max_body_bytes: int = 1_048_576
    # A file uploaded to the dashboard's import page (POST /import): larger than an API request.
    max_upload_bytes: int = 50 * 1_048_576
    # Where the dashboard keeps uploaded import files and their jobs' state (None: the system's
    # temporary folder + storekeeper-imports), a day at most.
    import_dir: str | None = None
    # Rate limits per API key (SPEC §2). A workspace's plan (`settings.rate_limit`) decides its
    # rate and burst; these two apply to a workspace whose settings have none.
    rate_limit_enabled: bool = True
    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 40
    # How long a process trusts the plan it read from a workspace before reading it again.
    rate_limit_plan_ttl_seconds: float = 5.0
    # How long a process trusts an API key it read before reading it again (0: every request
    # reads it). A key revoked through this process stops at once; through another process or
    # the CLI, within this many seconds.
    api_key_cache_seconds: float = Field(default=2.0, ge=0, le=3600)
    # Shared rate-limit state for several processes, e.g. redis://localhost:6379/0. Unset: each
    # process counts in memory.
    redis_url: str | None = None
    log_level: str = "INFO"
    # `storekeeper serve` and `storekeeper worker` log one JSON object per line, or plain text.
    log_format: Literal["json", "text"] = "json"
    # Run the background worker (reservation expiry, record purging) inside the API process.
    # `storekeeper serve` turns it on unless given --no-worker.
    worker: bool = False
    worker_interval_seconds: float = 5.0
    # Webhooks are delivered only to public addresses (domain/webhook_targets.py): a URL on
    # loopback, a private network or a cloud's metadata address is refused. A self-hosted install
    # whose receivers live on its own network turns this on.
    webhook_allow_private: bool = False
    # Stock alerts' SMTP servers must be at public addresses (domain/alerts.py); this lets a
    # workspace use a relay on this machine (127.0.0.1, ::1, localhost). Private networks stay refused.
    smtp_allow_loopback: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # Failed sign-ins to the dashboard allowed per email and per client address before POST /login
    # answers 429: each may fail that many times in a row, then once more every window / limit
    # seconds (5 and 900: once every 3 minutes), and all of them again after a quiet window.
    # Counted with the rate limits (in memory, or in Redis when `redis_url` is set).
    sign_in_failures_per_email: int = Field(default=5, ge=1)
    sign_in_failures_per_address: int = Field(default=20, ge=1)
    sign_in_window_seconds: float = Field(default=900.0, gt=0)
    # Threads that hash and check passwords (argon2, ~0.1 s of a core each), apart from the
    # request threads so that sign-ins cannot take the API's CPU; sign-ins waiting beyond
    # `password_queue` are refused (503) rather than queued.
    password_threads: int = Field(default=1, ge=1)
    password_queue: int = Field(default=8, ge=0)
    # The seed APIs served under /compat/<name> (SPEC §5, docs/dialects.md): a comma-separated
    # list of names, `all` or `none`.
    dialects: str = "all"
    # Mixed into the key that signs the dashboard's session cookies (each workspace has its own
    # key in the database); changing it signs everyone out. Unset: the database's keys alone.
    secret_key: str | None = None


@lru_cache
def get_settings() -> Settings:
    return Settings()
