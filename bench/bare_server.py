"""The floor for HTTP benchmarks: bare Starlette + raw sqlite3 doing the same insert and select.

Same pragmas as the registry (WAL, synchronous=FULL), same table (created by a registry on the
same file), same JSON in and out, no validation, no auth, no framework beyond Starlette.
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

    return Starlette(
        routes=[
            Route("/bare/metrics", create, methods=["POST"]),
            Route("/bare/metrics/{uid}", get),
            *value_insert_routes(connection),
        ]
    )


VALUE_COLUMNS = (
    "uid, metric_id, entity_id, time_unit, metric_date, value_cents, value_raw, timezone, "
    "metadata, created_at, updated_at"
)
INSERT_VALUE = (
    f"INSERT INTO metric_value ({VALUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
VALUE_METRIC = "SELECT id, storage_unit FROM metric WHERE uid = ?"
VALUE_ENTITY = "SELECT id FROM entity WHERE context_type = ? AND uid = ?"


def value_insert_routes(connection: sqlite3.Connection) -> list[Route]:
    """``POST /bare/value-inserts``: the floor of recording one value (bench_graphql_values).

    The same work a value insert cannot skip: the metric's and the entity's ids looked up,
    one row inserted in a write transaction (the registry's table, uid as 16 bytes, the
    value in its cents or raw column), the row answered as JSON. No validation, no auth.
    """

    async def record(request: Request) -> Response:
        body = json.loads(await request.body())
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        value_uid = uuid.uuid4()
        connection.execute("BEGIN IMMEDIATE")
        try:
            metric_id, storage_unit = connection.execute(
                VALUE_METRIC, (body["metric_uid"],)
            ).fetchone()
            (entity_id,) = connection.execute(
                VALUE_ENTITY, (body["context_type"], body["entity_uid"])
            ).fetchone()
            cents = storage_unit == "cents"
            row = (
                value_uid.bytes,
                metric_id,
                entity_id,
                body.get("time_unit", "day"),
                body["metric_date"],
                body["value"] if cents else None,
                None if cents else body["value"],
                body.get("timezone"),
                json.dumps(body.get("metadata", {})),
                now,
                now,
            )
            connection.execute(INSERT_VALUE, row)
        except sqlite3.IntegrityError:
            connection.execute("ROLLBACK")
            return Response('{"error": "conflict"}', status_code=409)
        connection.execute("COMMIT")
        answer = {
            "uid": str(value_uid),
            "metric_uid": body["metric_uid"],
            "context_type": body["context_type"],
            "entity_uid": body["entity_uid"],
            "time_unit": row[3],
            "metric_date": row[4],
            "value": body["value"],
            "created_at": now,
        }
        return Response(json.dumps(answer), media_type="application/json")

    return [Route("/bare/value-inserts", record, methods=["POST"])]


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
