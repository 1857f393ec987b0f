"""The `storekeeper` command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from storekeeper.cli.common import JsonOpt, WorkspaceOpt, console, err, fail, open_db, pick_workspace
from storekeeper.cli.listing import print_listing
from storekeeper.cli.workspaces import init, workspaces_app
from storekeeper.config import get_settings
from storekeeper.domain.errors import StorekeeperError
from storekeeper.logs import configure_logging
from storekeeper.persistence import migrate
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import api_keys

app = typer.Typer(help="Storekeeper: exact inventory across locations.", no_args_is_help=True, add_completion=False,
                  rich_markup_mode="markdown")
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
users_app = typer.Typer(help="Dashboard users' passwords.", no_args_is_help=True)
import_app = typer.Typer(help="Load items or stock from a CSV or JSON Lines file: all rows or none.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Write items, stock or movements as CSV or JSON Lines.", no_args_is_help=True)
app.command()(init)
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="What the key is for")],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help="A scope; repeat for several")],
    workspace: WorkspaceOpt = None,
    expires_at: Annotated[datetime | None, typer.Option(help="When the key stops working (UTC)")] = None,
    user: Annotated[str | None, typer.Option(help="User id or email the key acts for")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; the key is printed once."""
    db = open_db()
    ws = pick_workspace(db, workspace)
    try:
        row, key = api_keys.create_api_key(db, ws, name, scope, expires_at=expires_at, user=user)
    except StorekeeperError as exc:
        raise fail(exc) from None
    if as_json:
        print(json.dumps({"id": row["id"], "api_key": key, "scopes": row["scopes"]}))
    else:
        console.print(f"{row['id']}  [bold green]{key}[/bold green]  (shown once)")


@keys_app.command("list")
def keys_list(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List API keys (never their secrets)."""
    db = open_db()
    ws = pick_workspace(db, workspace)
    rows, cursor = [], None
    while True:
        page = api_keys.list_api_keys(db, ws, PageRequest(limit=1000, cursor=cursor, include_total=False))
        rows.extend(page.rows)
        if not page.has_more:
            break
        cursor = page.next_cursor
    if as_json:
        listed = [
            {"id": r["id"], "name": r["name"], "prefix": r["prefix"], "scopes": r["scopes"],
             "status": api_keys.key_status(r)}
            for r in rows
        ]
        print(json.dumps(listed))
        return
    print_listing(console, ("id", "name", "prefix", "scopes", "status", "created"),
                  [(r["id"], r["name"], r["prefix"] + "…", " ".join(r["scopes"]), api_keys.key_status(r),
                    f"{r['created_at']:%Y-%m-%d %H:%M}") for r in rows])


@keys_app.command("revoke")
def keys_revoke(key_id: str, workspace: WorkspaceOpt = None) -> None:
    """Revoke an API key, effective immediately."""
    db = open_db()
    ws = pick_workspace(db, workspace)
    try:
        api_keys.revoke_api_key(db, ws, key_id)
    except StorekeeperError as exc:
        raise fail(exc) from None
    console.print(f"Revoked {key_id}.")


@users_app.command("password")
def users_password(
    email: Annotated[str, typer.Argument(help="The user's email (or id)")],
    workspace: WorkspaceOpt = None,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the new password from standard input")] = False,
) -> None:
    """Set a user's dashboard password: a new one is made and printed once (or read with
    --stdin). The user's sessions end."""
    from storekeeper.services import sessions

    db = open_db()
    ws = pick_workspace(db, workspace)
    password = sys.stdin.readline().rstrip("\n") if stdin else sessions.new_password()
    try:
        row = sessions.set_password(db, ws, email, password)
    except StorekeeperError as exc:
        raise fail(exc) from None
    if stdin:
        console.print(f"Password of {row['email']} set.")
    else:
        console.print(f"Password of {row['email']} (shown once): [bold green]{password}[/bold green]")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    db = open_db()
    migrate.upgrade(db)
    console.print(f"Database at revision {migrate.current_revision(db)}.")


@app.command()
def check(workspace: WorkspaceOpt = None) -> None:
    """Verify that the ledger explains every stock level; exit 1 naming each mismatch."""
    from storekeeper.services.check import check as run_check

    db = open_db()
    workspace_id = pick_workspace(db, workspace) if workspace else None
    levels, mismatches = run_check(db, workspace_id)
    for mismatch in mismatches:
        # One line per mismatch, however narrow the terminal: the report is meant to be grepped.
        err.print(f"[red]MISMATCH[/red] {escape(str(mismatch))}", soft_wrap=True)
    if mismatches:
        err.print(f"[red]{len(mismatches)} mismatch(es)[/red] in {levels} stock levels.")
        raise typer.Exit(1)
    console.print(f"OK: {levels} stock levels, each explained by its movements and reservations.")


FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A .csv or .jsonl file")]


class FileFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


FormatOpt = Annotated[FileFormat | None,
                      typer.Option("--format", "-f", help="Default: by the file's extension, else csv")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Check every row, apply nothing")]


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=err, transient=False)


def _run_import(kind: str, path: Path, fmt: FileFormat | None, workspace: str | None, dry_run: bool,
                **options: bool) -> None:
    from storekeeper.api import import_files as files
    from storekeeper.services import imports

    db = open_db()
    ws = pick_workspace(db, workspace)
    fmt = files.file_format(path, fmt.value if fmt else None)
    read = files.item_rows if kind == "items" else files.stock_rows
    total = files.count_rows(path) - (1 if fmt == "csv" else 0)

    def rows():
        return read(path, fmt)

    with _progress() as progress:
        tasks = {"checking": progress.add_task(f"Checking {path.name}", total=max(total, 0)),
                 "applying": progress.add_task(f"Importing {kind}", total=max(total, 0), visible=False)}

        def report(phase: str, done: int) -> None:
            if phase == "applying" and dry_run:
                return
            progress.update(tasks[phase], completed=done, visible=True)

        try:
            run = imports.import_items if kind == "items" else imports.import_stock
            result = run(db, ws, rows, report, dry_run=dry_run, **options)
        except files.BadFile as exc:
            err.print(f"[red]{escape(str(path))}[/red]: {escape(str(exc))}")
            raise typer.Exit(2) from None
    for error in result.errors:
        err.print(f"[red]line {error.line}[/red]: {escape(error.message)}", soft_wrap=True)
    if not result.ok:
        more = result.error_count - len(result.errors)
        err.print(f"[red]{result.error_count} bad row(s)[/red] of {result.rows}"
                  + (f" ({more} more not shown)" if more else "") + "; nothing was imported.")
        if any("No location" in e.message for e in result.errors):
            err.print("To create the locations the file names, add --create-locations.")
        raise typer.Exit(2)
    if dry_run:
        console.print(f"OK: {result.rows} {kind} rows checked; nothing was imported (--dry-run).")
        return
    created = "".join(f"; new {what}: {', '.join(names)}" for what, names in (
        ("categories", result.created_categories), ("locations", getattr(result, "created_locations", []))) if names)
    what = "Created {} items" if kind == "items" else "Recorded {} stock changes"
    console.print(f"{what.format(result.applied)} from {path.name}{created}.")


CreateLocationsOpt = Annotated[bool, typer.Option("--create-locations",
                                                 help="Create the locations the file names that do not exist")]


@import_app.command("items")
def import_items(path: FileArg, workspace: WorkspaceOpt = None, fmt: FormatOpt = None,
                 dry_run: DryRunOpt = False, create_locations: CreateLocationsOpt = False) -> None:
    """Create items from a file (columns named like the API's fields: sku, name, unit, ...).
    Every row is checked first; any bad row is reported with its line and nothing is imported."""
    _run_import("items", path, fmt, workspace, dry_run, create_locations=create_locations)


@import_app.command("stock")
def import_stock(
    path: FileArg, workspace: WorkspaceOpt = None, fmt: FormatOpt = None, dry_run: DryRunOpt = False,
    create_locations: CreateLocationsOpt = False,
) -> None:
    """Record stock from a file: per row sku, location, and on_hand (a count) or delta (a change),
    with an optional reason, unit_cost, note, occurred_at, label. All rows or none."""
    _run_import("stock", path, fmt, workspace, dry_run, create_locations=create_locations)


def _run_export(kind: str, fmt: FileFormat | None, output: Path | None, workspace: str | None) -> None:
    from storekeeper.services import exports

    db = open_db()
    ws = pick_workspace(db, workspace)
    fmt = files_format(output, fmt.value if fmt else None)
    export = {"items": exports.export_items, "stock": exports.export_stock,
              "movements": exports.export_movements}[kind](db, ws)
    if output is None:
        for chunk in exports.chunks(export, fmt):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    counted = 0

    def counting(records):
        nonlocal counted
        for record in records:
            counted += 1
            yield record

    export = exports.Export(export.columns, counting(export.records), export.total)
    partial = output.with_name(output.name + ".partial")
    try:
        with _progress() as progress, partial.open("w", encoding="utf-8", newline="") as f:
            task = progress.add_task(f"Exporting {kind}", total=export.total)
            for chunk in exports.chunks(export, fmt):
                f.write(chunk)
                progress.update(task, completed=counted)
        partial.replace(output)  # a complete file or none under the name asked for
    except OSError as exc:
        partial.unlink(missing_ok=True)
        err.print(f"[red]Cannot write {escape(str(output))}[/red]: {escape(exc.strerror or str(exc))}")
        raise typer.Exit(1) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    err.print(f"Wrote {counted} {kind} rows to {output}.")


def files_format(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "jsonl" if output is not None and output.suffix.lower() in (".jsonl", ".ndjson") else "csv"


OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False, help="Default: standard output")]


@export_app.command("items")
def export_items(workspace: WorkspaceOpt = None, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every live item: the columns `import items` reads, then on_hand, status and the like."""
    _run_export("items", fmt, output, workspace)


@export_app.command("stock")
def export_stock(workspace: WorkspaceOpt = None, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every stock level: sku, location, on_hand, reserved, available, unit_cost (average)."""
    _run_export("stock", fmt, output, workspace)


@export_app.command("movements")
def export_movements(workspace: WorkspaceOpt = None, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """The whole ledger, oldest first."""
    _run_export("movements", fmt, output, workspace)


@app.command()
def worker(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between rounds")] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="Run one round and exit")] = False,
) -> None:
    """Run the background work on its own: webhooks, alerts, expiries, snapshots, totals and purges.

    Each round: deliver webhooks, send stock alert emails, expire reservations, take the daily
    snapshots workspaces ask for, fold the dashboard's running totals, and purge Idempotency-Key
    records past 24 hours, events past their retention, items past the trash retention,
    dashboard sessions past their end and alerts sent more than 30 days ago. `serve` runs the
    same in each server process unless --no-worker."""
    import threading

    from storekeeper.services import worker as background

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    db = open_db()
    if once:
        console.print(background.run_once(db, allow_private=settings.webhook_allow_private,
                                          smtp_allow_loopback=settings.smtp_allow_loopback))
        return
    stop = threading.Event()
    try:
        background.run_forever(db, interval, stop, allow_private=settings.webhook_allow_private,
                               smtp_allow_loopback=settings.smtp_allow_loopback)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    demo: Annotated[bool, typer.Option("--demo", help="Load a sample workspace and print an admin key")] = False,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Leave background work to `storekeeper worker`")]
    = False,
) -> None:
    """Run the HTTP API (migrating the database first)."""
    import os

    from storekeeper.api import server

    if not no_worker:
        os.environ["STOREKEEPER_WORKER"] = "true"  # read by the server processes' settings

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    configure_logging(settings.log_level, settings.log_format)
    db = open_db()
    migrate.upgrade(db)
    if demo:
        from storekeeper.services import sessions
        from storekeeper.services.demo import DEMO_ADMIN, load_demo

        workspace_id, key = load_demo(db)
        password = sessions.new_password()
        sessions.set_password(db, workspace_id, DEMO_ADMIN, password)
        url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
        console.print(f"Demo workspace {workspace_id}")
        console.print(f"Admin API key: [bold green]{key}[/bold green]")
        console.print(f"API docs:      {url}/docs")
        console.print(f"Dashboard:     {url}/  (sign in as {DEMO_ADMIN}, password [bold green]{password}[/bold green])")
        console.print(f"Try:           curl -H 'Authorization: Bearer {key}' {url}/v1/items")
        sys.stdout.flush()
    db.dispose()
    # Become the lean server process: the supervisor then holds only uvicorn, not the CLI,
    # SQLAlchemy and Alembic loaded for the migration (and its spawned workers import just the app).
    sys.stdout.flush()
    sys.stderr.flush()
    argv = server.command(host, port, workers, settings.log_level, settings.log_format)
    # glibc gives each thread that allocates an arena of its own, up to 8 per core, and keeps what
    # they free: under 32 concurrent clients a worker held 10-15 MB more than with two (measured
    # with bench/; docs/performance.md). Read by glibc at start, so set before the exec.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    os.execv(argv[0], argv)


if __name__ == "__main__":
    app()
