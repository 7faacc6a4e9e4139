"""The floor for HTTP benchmarks: bare Starlette + raw sqlite3 doing the same insert and select.

Same pragmas as the registry (WAL, synchronous=FULL), same tables (created by a registry on the
same file), same JSON in and out, no validation, no auth, no framework beyond Starlette.
Metrics: ``POST /bare/metrics``, ``GET /bare/metrics/{uid}``. Values: ``POST
/bare/values/{context_type}/{entity_uid}`` finds the metric and the entity by uid (as any
insert of a value must) and inserts the row, as the registry stores it.
Run as ``python -m bench.bare_server DB PORT`` (uvicorn, 1 worker, uvloop + httptools).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import uuid
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COLUMNS = (
    "uid, name, context_type, description, formula, value_type, storage_unit, is_snapshot, "
    "period_definition, is_active, created_at, updated_at"
)
INSERT = f"INSERT INTO metric ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
SELECT = f"SELECT {COLUMNS} FROM metric WHERE uid = ?"
KEYS = COLUMNS.split(", ")
VALUE_COLUMNS = (
    "uid, metric_id, entity_id, time_unit, metric_date, value_cents, value_raw, timezone, "
    "metadata, created_at, updated_at"
)
VALUE_INSERT = (
    f"INSERT INTO metric_value ({VALUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
METRIC_OF_VALUE = "SELECT id, storage_unit FROM metric WHERE uid = ?"
ENTITY_OF_VALUE = "SELECT id FROM entity WHERE context_type = ? AND uid = ?"


def as_json(row: tuple[object, ...]) -> Response:
    return Response(json.dumps(dict(zip(KEYS, row, strict=True))), media_type="application/json")


def create_bare_app(db_path: str) -> Starlette:
    connection = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    for pragma in ("busy_timeout = 10000", "journal_mode = wal", "synchronous = full"):
        connection.execute(f"PRAGMA {pragma}")

    async def create(request: Request) -> Response:
        body = json.loads(await request.body())
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        row = (
            body["uid"],
            body["name"],
            body.get("context_type", "ORGANIZATION"),
            body.get("description"),
            body.get("formula"),
            body.get("value_type", "count"),
            body.get("storage_unit", "raw"),
            body.get("is_snapshot", False),
            body.get("period_definition"),
            body.get("is_active", True),
            now,
            now,
        )
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(INSERT, row)
        except sqlite3.IntegrityError:
            connection.execute("ROLLBACK")
            return Response('{"error": "conflict"}', status_code=409)
        connection.execute("COMMIT")
        return Response(
            json.dumps(dict(zip(KEYS, row, strict=True))), media_type="application/json"
        )

    async def get(request: Request) -> Response:
        row = connection.execute(SELECT, (request.path_params["uid"],)).fetchone()
        if row is None:
            return Response('{"error": "not found"}', status_code=404)
        return Response(
            json.dumps(dict(zip(KEYS, row, strict=True))), media_type="application/json"
        )

    async def create_value(request: Request) -> Response:
        body = json.loads(await request.body())
        context_type, entity_uid = (
            request.path_params["context_type"],
            request.path_params["entity_uid"],
        )
        metric = connection.execute(METRIC_OF_VALUE, (body["metric_uid"],)).fetchone()
        entity = connection.execute(ENTITY_OF_VALUE, (context_type, entity_uid)).fetchone()
        if metric is None or entity is None:
            return Response('{"error": "not found"}', status_code=422)
        cents = metric[1] == "cents"
        value = body["value"]
        uid = uuid.uuid4()
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        row = (
            uid.bytes,
            metric[0],
            entity[0],
            body.get("time_unit", "day"),
            body["metric_date"],
            value if cents else None,
            None if cents else float(value),
            body.get("timezone"),
            json.dumps(body.get("_metadata", {})),
            now,
            now,
        )
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(VALUE_INSERT, row)
        except sqlite3.IntegrityError:
            connection.execute("ROLLBACK")
            return Response('{"error": "conflict"}', status_code=409)
        connection.execute("COMMIT")
        shown = {
            **body,
            "uid": str(uid),
            "context_type": context_type,
            "entity_uid": entity_uid,
            "created_at": now,
            "updated_at": now,
        }
        return Response(json.dumps(shown), media_type="application/json")

    return Starlette(
        routes=[
            Route("/bare/metrics", create, methods=["POST"]),
            Route("/bare/metrics/{uid}", get),
            Route("/bare/values/{context_type}/{entity_uid}", create_value, methods=["POST"]),
        ]
    )


if __name__ == "__main__":
    database, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(
        create_bare_app(database),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
