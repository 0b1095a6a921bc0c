"""Downloads the page links to: `/export/pushlists/<id>.xlsx` and `.csv`, with `?lang=zh` for
Chinese headers and reasons (`en` by default). The same key and the same role as the GraphQL
field that reads the list (api/access.py, `pushList`)."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse

from api.access import ROOT_FIELDS
from api.auth import authenticate
from graph.read.push import push_lists_by_id
from graph.reader import ReadPool
from schema.push import EXPORT_LANGS, export_lang, to_csv, to_xlsx
from schema.settings import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_exports(app: FastAPI, settings: Settings) -> None:
    @app.get("/export/pushlists/{name}")
    async def export_push_list(name: str, request: Request, lang: str = "en") -> Response:
        """A push list as XLSX or CSV (UTF-8 with a byte-order mark), in `lang` (en, zh)."""
        principal = await authenticate(
            request.headers.get("authorization"),
            request.app.state.keys,
            settings.api_anonymous_role,
        )
        required = ROOT_FIELDS["pushList"]
        if not principal.role.includes(required):
            return PlainTextResponse(
                f"a push list requires the {required} role; {principal.describe()}",
                status_code=403,
            )
        language = export_lang(lang)
        if language is None:
            return PlainTextResponse(
                f"lang must be one of {', '.join(EXPORT_LANGS)}, not {lang!r}", status_code=400
            )
        push_id, _, suffix = name.rpartition(".")
        if suffix not in ("xlsx", "csv") or not push_id:
            return PlainTextResponse("ask for <id>.xlsx or <id>.csv", status_code=404)
        pool: ReadPool = request.app.state.pool
        found = (await pool.reader()(push_lists_by_id, [push_id]))[0]
        if found is None:
            return PlainTextResponse(f"no push list has the id {push_id!r}", status_code=404)
        filename = f"{found.district.replace('/', '-')}-{found.segment}-v{found.version}.{suffix}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if suffix == "xlsx":
            return Response(to_xlsx(found, language), media_type=XLSX, headers=headers)
        return Response(
            to_csv(found, language).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
