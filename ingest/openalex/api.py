"""The periodic OpenAlex API job: page the REST API with cursors into a spool file.

`talentmap ingest openalex-api --entity works --filter ... --since DATE` asks
`{base}/{entity}?filter=...&per-page=200&cursor=*` and follows `meta.next_cursor` until it is
null or a page comes back empty. Every result is written, as it arrives, to
`TALENTMAP_HOME/spool/openalex-<entity>-<UTC stamp>.jsonl.gz` (one JSON object a line; named
`.partial` until the chain is complete). That file is the hand-off: the command then loads it
with `run_job` like any `talentmap ingest openalex` input, so the API job gets the same
quarantine, batching, checkpoints and `IngestRun` records, and a load interrupted after the
fetch is resumed with `talentmap ingest openalex <spool file>` without asking OpenAlex again.

Retries: a 429 waits out `Retry-After` when the server sends one (a wait longer than
`Backoff.max_retry_after` is not waited out: the job stops and says so), else backs off
exponentially with jitter; 5xx answers and transport errors back off exponentially. Any
other status stops the job at once with OpenAlex's own message. The API key travels only in
the query string of the requests; every message names the URL without it.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import httpx

from ingest.errors import IngestError
from schema.settings import Settings

PER_PAGE_MAX = 200
# The list endpoints of the OpenAlex API (https://docs.openalex.org/api-entities).
ENTITIES = frozenset(
    {
        "works",
        "authors",
        "sources",
        "institutions",
        "topics",
        "keywords",
        "publishers",
        "funders",
        "concepts",
        "domains",
        "fields",
        "subfields",
    }
)
SINCE_FILTER = "from_updated_date"
_FILTER_KEY = re.compile(r"[a-z][a-z0-9_.]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Progress = Callable[[int, int | None], None]


class OpenAlexApiError(IngestError):
    """The OpenAlex API refused the query or kept failing; nothing was spooled."""


class InvalidQueryError(IngestError):
    """The entity, filters or date of an API job are not a query we can send."""


class SpoolError(IngestError):
    """The spool file cannot be written (disk full, permissions); nothing was spooled."""


@dataclass(frozen=True)
class Backoff:
    """How a failing request is retried. Seconds everywhere, so tests can use milliseconds."""

    base: float = 1.0  # the first retry waits about this long, each later one twice the last
    cap: float = 60.0  # no backoff wait is longer
    attempts: int = 6  # tries per request, the first included
    # A 429 asking for a longer wait (OpenAlex's daily allowance is spent) is not waited out.
    max_retry_after: float = 600.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < 0 or self.max_retry_after < 0:
            raise ValueError(f"invalid backoff {self}")

    def delay(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number `retry` (1, 2, ...): exponential, capped, with "equal
        jitter" (half fixed, half random) so that clients retrying together spread out."""
        ceiling = min(self.cap, self.base * 2.0 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class Page:
    results: list[Any]
    count: int | None  # meta.count: how many records match the query in all
    next_cursor: str | None


@dataclass(frozen=True)
class SpoolReport:
    path: Path
    entity: str
    filter: str  # as sent to OpenAlex
    records: int
    pages: int  # answered pages, the final empty one included
    requests: int  # HTTP requests made, retries included
    retries: int
    total: int | None  # meta.count of the first page
    complete: bool  # the cursor chain ended (False: stopped at max_records)
    seconds: float


def parse_since(text: str) -> date:
    """`--since` as a date; only the ISO form YYYY-MM-DD is accepted."""
    value = text.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidQueryError(
            f"--since {text!r} is not a date; expected an ISO date such as 2024-01-31"
        ) from None


def build_filter(filters: Sequence[str], since: date | None) -> str:
    """The `filter` parameter: the user's `key:value` filters (each may itself be
    comma-joined) and `from_updated_date:<since>`, comma-joined as OpenAlex expects."""
    parts: list[str] = []
    for given in filters:
        for item in given.split(","):
            part = item.strip()
            if not part:
                continue
            key, sep, value = part.partition(":")
            if not sep or not _FILTER_KEY.fullmatch(key.strip()) or not value.strip():
                raise InvalidQueryError(
                    f"filter {part!r} is not of the form key:value (e.g. publication_year:2024)"
                )
            if key.strip() == SINCE_FILTER and since is not None:
                raise InvalidQueryError(f"pass either --since or a {SINCE_FILTER} filter, not both")
            parts.append(f"{key.strip()}:{value.strip()}")
    if since is not None:
        parts.append(f"{SINCE_FILTER}:{since.isoformat()}")
    return ",".join(parts)


def check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        raise InvalidQueryError(
            f"unknown OpenAlex entity {entity!r}; one of {', '.join(sorted(ENTITIES))}"
        )


def user_agent(mailto: str | None) -> str:
    try:
        release = version("talentmap")
    except PackageNotFoundError:
        release = "dev"
    contact = f" (mailto:{mailto})" if mailto else ""
    return f"TalentMap/{release}{contact}"


class OpenAlexClient:
    """GETs list pages of the OpenAlex API, with retries; counts its requests."""

    def __init__(
        self,
        settings: Settings,
        *,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        base = settings.openalex_api_url.rstrip("/")
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).hostname:
            raise OpenAlexApiError(
                f"TALENTMAP_OPENALEX_API_URL {settings.openalex_api_url!r} is not an http(s) URL"
            )
        self._base = base
        key = settings.openalex_api_key
        self._key = key.get_secret_value() if key is not None else None
        self._mailto = settings.openalex_mailto
        self._backoff = backoff or Backoff()
        # Jitter only spreads retries out; nothing depends on it being unpredictable.
        self._rng = rng or random.Random()  # noqa: S311
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent(self._mailto), "Accept": "application/json"},
            # A redirect could carry the api_key to another host: report it instead.
            follow_redirects=False,
        )
        self.requests = 0
        self.retries = 0

    def __enter__(self) -> OpenAlexClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def pages(
        self, entity: str, filter_value: str, per_page: int, select: str | None = None
    ) -> Iterator[Page]:
        """Every page of `entity` matching `filter_value` (only the fields in `select` when
        given), following the cursor chain."""
        check_entity(entity)
        cursor = "*"
        used = {cursor}
        while True:
            params = {"filter": filter_value} if filter_value else {}
            params |= {"select": select} if select else {}
            params |= {"per-page": str(per_page), "cursor": cursor}
            page = self._page(f"{self._base}/{entity}", params)
            yield page
            if not page.results or page.next_cursor is None:
                return
            if page.next_cursor in used:
                raise OpenAlexApiError(
                    f"OpenAlex sent cursor {page.next_cursor!r} a second time for "
                    f"{self.shown(f'{self._base}/{entity}', params)}; stopping instead of looping"
                )
            cursor = page.next_cursor
            used.add(cursor)

    def year_counts(self, filter_value: str) -> dict[int, int]:
        """Works per publication year matching `filter_value` (all works when empty): one
        `works?group_by=publication_year` request."""
        url = f"{self._base}/works"
        params = {"group_by": "publication_year"}
        if filter_value:
            params["filter"] = filter_value
        body = self._get(url, params)
        groups = body.get("group_by")
        if not isinstance(groups, list):
            raise OpenAlexApiError(f"{self.shown(url, params)} answered without a group_by list")
        counts: dict[int, int] = {}
        for group in groups:
            key = str(group.get("key", "")) if isinstance(group, dict) else ""
            count = group.get("count") if isinstance(group, dict) else None
            if key.isdigit() and isinstance(count, int) and count >= 0:
                counts[int(key)] = count
        return counts

    def year_citations(self, filter_value: str) -> dict[int, int]:
        """Citations per year received by the works matching `filter_value`: their
        `counts_by_year` added up (OpenAlex keeps about the last ten years), paged with
        cursors, one request per PER_PAGE_MAX works (`group_by` gives counts, never sums)."""
        cited: dict[int, int] = {}
        for page in self.pages("works", filter_value, PER_PAGE_MAX, "id,counts_by_year"):
            for work in page.results:
                rows = work.get("counts_by_year") if isinstance(work, dict) else None
                for row in rows if isinstance(rows, list) else []:
                    year = row.get("year") if isinstance(row, dict) else None
                    count = row.get("cited_by_count") if isinstance(row, dict) else None
                    if isinstance(year, int) and isinstance(count, int) and count > 0:
                        cited[year] = cited.get(year, 0) + count
        return cited

    def shown(self, url: str, params: dict[str, str]) -> str:
        """The request URL as messages may show it: without the api_key, and decoded so that
        the filter reads as typed."""
        return unquote(str(httpx.URL(url, params={**params, **self._polite()})))

    def _polite(self) -> dict[str, str]:
        return {"mailto": self._mailto} if self._mailto else {}

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _page(self, url: str, params: dict[str, str]) -> Page:
        body = self._get(url, params)
        shown = self.shown(url, params)
        meta = body.get("meta")
        results = body.get("results")
        if not isinstance(meta, dict) or not isinstance(results, list):
            raise OpenAlexApiError(f"{shown} answered JSON without meta and results lists")
        count = meta.get("count")
        cursor = meta.get("next_cursor")
        return Page(
            results=results,
            count=count if isinstance(count, int) else None,
            next_cursor=cursor if isinstance(cursor, str) and cursor else None,
        )

    def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        shown = self.shown(url, params)
        query = {**params, **self._polite()}
        if self._key:
            query["api_key"] = self._key
        attempts = self._backoff.attempts
        last = ""
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                self.retries += 1
            self.requests += 1
            wait = self._backoff.delay(attempt, self._rng)
            try:
                response = self._http.get(url, params=query)
            except httpx.UnsupportedProtocol as e:
                raise OpenAlexApiError(f"cannot request {shown}: {self._redact(str(e))}") from e
            except httpx.RequestError as e:  # connection, timeout, protocol and decoding errors
                last = f"{type(e).__name__}: {self._redact(str(e)) or 'no detail'}"
            else:
                status = response.status_code
                last = f"HTTP {status}"
                if status == httpx.codes.OK:
                    try:
                        body = response.json()
                    except ValueError:
                        last = "HTTP 200 with a body that is not JSON"
                    else:
                        if not isinstance(body, dict):
                            raise OpenAlexApiError(f"{shown} answered JSON that is not an object")
                        return body
                elif status == httpx.codes.TOO_MANY_REQUESTS:
                    last = f"HTTP 429{self._detail(response)}"
                    asked = retry_after(response.headers.get("Retry-After"))
                    if asked is not None and asked > self._backoff.max_retry_after:
                        raise OpenAlexApiError(
                            f"OpenAlex answered HTTP 429 to {shown} and asks to wait "
                            f"{asked:.0f}s (daily allowance spent?); giving up"
                            f"{self._detail(response)}"
                        )
                    if asked is not None:
                        wait = asked
                elif status >= 500:
                    last = f"HTTP {status}{self._detail(response)}"
                else:
                    where = response.headers.get("Location")
                    hint = (
                        " (redirected; point TALENTMAP_OPENALEX_API_URL at the new address)"
                        if where
                        else ""
                    )
                    raise OpenAlexApiError(
                        f"OpenAlex refused {shown}: HTTP {status}{hint}{self._detail(response)}"
                    )
            if attempt < attempts:
                time.sleep(wait)
        raise OpenAlexApiError(
            f"OpenAlex API: gave up on {shown} after {attempts} attempt(s); last: {last}"
        )

    def _detail(self, response: httpx.Response) -> str:
        """OpenAlex's own explanation from an error body (`{"error", "message"}`), if any."""
        try:
            body = response.json()
        except ValueError:
            text = " ".join(response.text.split())[:300]
        else:
            if isinstance(body, dict):
                fields = (body.get("error"), body.get("message"))
                text = ": ".join(str(f) for f in fields if f)
            else:
                text = ""
        return f" ({self._redact(text)})" if text else ""


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class _Spool:
    """A gzipped JSONL file written under a `.partial` name and renamed once complete, so a
    file without the suffix always holds a whole fetch."""

    def __init__(self, path: Path, partial: Path, raw: IO[bytes]) -> None:
        self.path = path
        self.partial = partial
        self._raw = raw
        # The name in the gzip header is the final one, not the .partial one.
        self._gzip = gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, compresslevel=6)

    @classmethod
    def create(cls, path: Path) -> _Spool:
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(path, partial, partial.open("xb"))
        except OSError as e:
            raise SpoolError(f"cannot create the spool file {partial}: {e}") from e

    def write_all(self, records: list[Any]) -> None:
        try:
            for record in records:
                # The same JSON value as received (nothing added, dropped or reordered).
                line = json.dumps(record, ensure_ascii=False) + "\n"
                self._gzip.write(line.encode("utf-8"))
        except OSError as e:
            raise SpoolError(f"cannot write the spool file {self.partial}: {e}") from e

    def commit(self) -> Path:
        try:
            self._gzip.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            os.replace(self.partial, self.path)
        except OSError as e:
            raise SpoolError(f"cannot complete the spool file {self.path}: {e}") from e
        return self.path

    def discard(self) -> None:
        # Best effort: the fetch already failed, and that error is the one to report.
        with contextlib.suppress(OSError):
            self._gzip.close()
        with contextlib.suppress(OSError):
            self._raw.close()
        self.partial.unlink(missing_ok=True)


def spool_path(settings: Settings, entity: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return settings.home / "spool" / f"openalex-{entity}-{stamp}.jsonl.gz"


def fetch_to_spool(
    settings: Settings,
    entity: str,
    filters: Sequence[str],
    since: date | None,
    *,
    per_page: int = PER_PAGE_MAX,
    max_records: int | None = None,
    on_progress: Progress | None = None,
    backoff: Backoff | None = None,
    timeout: float = 30.0,
) -> SpoolReport:
    """Fetch every `entity` record matching `filters` (and updated since `since`) from the
    OpenAlex API into a new spool file; stop after `max_records` if given.

    `on_progress(records so far, meta.count or max_records)` is called after each page.
    Raises InvalidQueryError before any request for a query we cannot send, and
    OpenAlexApiError when OpenAlex refuses it or keeps failing; no spool file is left then.
    """
    check_entity(entity)
    if not 1 <= per_page <= PER_PAGE_MAX:
        raise InvalidQueryError(f"per-page must be 1 to {PER_PAGE_MAX}, not {per_page}")
    if max_records is not None and max_records < 1:
        raise InvalidQueryError(f"max-records must be at least 1, not {max_records}")
    filter_value = build_filter(filters, since)
    if not filter_value and max_records is None:
        # OpenAlex asks not to page whole entities through the API; the snapshot is for that.
        raise InvalidQueryError(
            f"no filter and no --since: that would page through every OpenAlex {entity}; "
            "pass a filter, --since or --max-records (or load the OpenAlex snapshot)"
        )
    started = time.monotonic()
    records = pages = 0
    total: int | None = None
    complete = False
    with OpenAlexClient(settings, backoff=backoff, timeout=timeout) as client:
        spool = _Spool.create(spool_path(settings, entity))
        try:
            for page in client.pages(entity, filter_value, per_page):
                pages += 1
                if total is None:
                    total = page.count
                kept = page.results
                if max_records is not None:
                    kept = kept[: max_records - records]
                spool.write_all(kept)
                records += len(kept)
                ended = not page.results or page.next_cursor is None
                complete = ended and len(kept) == len(page.results)
                if on_progress is not None:
                    on_progress(records, total if max_records is None else _cap(total, max_records))
                if max_records is not None and records >= max_records:
                    break
            path = spool.commit()
        except BaseException:
            spool.discard()
            raise
        return SpoolReport(
            path=path,
            entity=entity,
            filter=filter_value,
            records=records,
            pages=pages,
            requests=client.requests,
            retries=client.retries,
            total=total,
            complete=complete,
            seconds=time.monotonic() - started,
        )


def _cap(total: int | None, max_records: int) -> int:
    return max_records if total is None else min(total, max_records)
