"""One typed settings object, read once from the environment (and `.env`).

Neo4j settings use the names the Neo4j ecosystem uses (`NEO4J_URI`, `NEO4J_USERNAME`,
`NEO4J_PASSWORD`, `NEO4J_DATABASE`); everything else is `TALENTMAP_*`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schema.apikey import Role

# A neo4j.conf setting's name: dotted lower-case words (server.memory.heap.max_size).
NEO4J_SETTING = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def neo4j_config_pairs(text: str) -> dict[str, str]:
    """`key=value;key=value` as a dict; a ValueError names an item that is not such a pair."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        key, sep, value = item.partition("=")
        if not sep or not NEO4J_SETTING.fullmatch(key.strip()):
            raise ValueError(f"TALENTMAP_NEO4J_CONFIG: {item!r} is not a neo4j.conf key=value pair")
        pairs[key.strip()] = value.strip()
    return pairs


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class Settings(BaseSettings):
    """Everything configurable, with defaults that work on a fresh developer machine."""

    model_config = SettingsConfigDict(
        env_prefix="TALENTMAP_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687", validation_alias=AliasChoices("NEO4J_URI")
    )
    neo4j_username: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USERNAME"))
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))

    home: Path = Field(
        default_factory=lambda: Path.home() / ".local" / "share" / "talentmap",
        description="Data, logs, generated password and pid of the local Neo4j.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "talentmap",
        description="Downloaded Neo4j jars, shared by every TALENTMAP_HOME.",
    )
    neo4j_version: str = "5.26.30"
    # Sized for a 2-core, 24 GB machine that also runs the API and ingestion.
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"
    neo4j_start_timeout: float = 180.0
    neo4j_jvm_options: str = Field(
        default="",
        description="More JVM flags for the local Neo4j, space-separated (the tests' "
        "short-lived instances use -XX:TieredStopAtLevel=1).",
    )
    neo4j_config: str = Field(
        default="",
        description="More neo4j.conf settings for the local Neo4j, as `key=value` pairs "
        "separated by `;` (the tests turn off replanning on statistics changes). The settings "
        "`talentmap neo4j start` writes itself (directories, addresses, memory) cannot be given.",
    )
    maven_settings: Path | None = Field(
        default=None, description="A Maven settings.xml (mirrors, proxies) for fetching Neo4j."
    )
    java_home: Path | None = Field(
        default=None, validation_alias=AliasChoices("TALENTMAP_JAVA_HOME", "JAVA_HOME")
    )

    ingest_batch_size: int = Field(default=2000, ge=1, le=100_000)
    # Works with more authors are kept, but left out of the co-author and team networks.
    max_authors_for_ties: int = Field(default=100, ge=2)
    # Entities per transaction of the derived step (ingest/derived/step.py); each chunk's
    # marks are cleared with it, so a killed step resumes after the last committed chunk.
    derive_chunk: int = Field(default=500, ge=1, le=100_000)

    openalex_api_url: str = "https://api.openalex.org"
    openalex_api_key: SecretStr | None = None
    openalex_mailto: str | None = Field(
        default=None, description="Sent as mailto= to join OpenAlex's polite pool."
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    # API processes (`talentmap serve --workers`): one Python process uses one core at most.
    api_workers: int = Field(default=1, ge=1, le=64)
    # The built page the API serves at `/` (`make web`); None: web/dist beside the sources,
    # which an installed package (the Docker image) has not, so the image names its copy.
    web_dist: Path | None = None
    # Access (api/auth.py): without a key, a request gets this role, or HTTP 401 when None.
    # Off by default; `make run` sets it to viewer for the local demo.
    api_anonymous_role: Role | None = None
    # How long a looked-up key is trusted before the graph is asked again: a revoked key
    # stops working within this many seconds.
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # Limits (api/limits.py), each checked before any resolver runs.
    api_max_depth: int = Field(default=10, ge=1)
    api_max_tokens: int = Field(default=2000, ge=10)
    api_max_aliases: int = Field(default=30, ge=0)
    api_max_cost: int = Field(default=50_000, ge=1)
    # Neo4j transaction timeout for each read the API makes, in seconds; also how long the API
    # waits to connect to Neo4j (api/http_limits.py and graph/driver.py).
    api_query_timeout: float = Field(default=10.0, gt=0)
    # HTTP limits (api/http_limits.py): the largest request body (413 above it, counted as it
    # streams in, chunked bodies too), the seconds a client has to send its headers and its
    # body (then the connection is closed, or 408), an idle keep-alive connection's seconds,
    # and the connections served at once (503 above it).
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    api_header_timeout: float = Field(default=10.0, gt=0)
    api_body_timeout: float = Field(default=30.0, gt=0)
    api_keep_alive_timeout: int = Field(default=5, ge=1)
    api_max_connections: int = Field(default=1000, ge=1)
    # Watchlists' webhooks (api/webhooks.py): how often the API looks for events to deliver
    # (0: never, e.g. in every API process but one), how long a receiver has to answer, and
    # the retries (after base, 2·base, 4·base, ... seconds; attempts in all).
    webhook_poll_seconds: float = Field(default=5.0, ge=0)
    webhook_timeout: float = Field(default=5.0, gt=0, le=60)
    webhook_retry_seconds: float = Field(default=30.0, ge=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)

    @field_validator("neo4j_uri")
    @classmethod
    def _check_uri(cls, value: str) -> str:
        parts = urlsplit(value)
        schemes = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(
                f"NEO4J_URI {value!r} is not a Bolt URI; expected e.g. bolt://127.0.0.1:7687"
            )
        return value

    @field_validator("neo4j_config")
    @classmethod
    def _check_config(cls, value: str) -> str:
        neo4j_config_pairs(value)
        return value

    @property
    def neo4j_config_pairs(self) -> dict[str, str]:
        """TALENTMAP_NEO4J_CONFIG as neo4j.conf settings, in the order given."""
        return neo4j_config_pairs(self.neo4j_config)

    @property
    def bolt_host(self) -> str:
        return urlsplit(self.neo4j_uri).hostname or "127.0.0.1"

    @property
    def bolt_port(self) -> int:
        return urlsplit(self.neo4j_uri).port or 7687

    @property
    def may_provision(self) -> bool:
        """Whether `talentmap neo4j start` may start a server for this URI.

        Only a plain `bolt://` URI on this machine can be ours; routing (`neo4j://`) and
        encrypted schemes always mean a server somebody else runs.
        """
        return urlsplit(self.neo4j_uri).scheme == "bolt" and self.bolt_host in LOOPBACK_HOSTS

    @property
    def neo4j_dir(self) -> Path:
        return self.home / "neo4j"

    @property
    def password_file(self) -> Path:
        return self.neo4j_dir / "password"

    def resolved_password(self) -> str | None:
        """NEO4J_PASSWORD if set, else the password generated for the local server."""
        if self.neo4j_password is not None:
            return self.neo4j_password.get_secret_value()
        if self.password_file.is_file():
            return self.password_file.read_text(encoding="utf-8").strip()
        return None
