"""Team mode commands: ``summarizer worker`` runs queued stages; ``summarizer submit`` queues a draft."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from


@app.command()
def worker(
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", "-q", help="Stage queue to take jobs from (repeat; default: all of "
                     "transcription, speakers, extraction, rendering). A GPU machine: -q transcription."),
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Jobs run at once.")] = 1,
    heartbeat: Annotated[float, typer.Option("--heartbeat", help="Seconds between heartbeats.")] = 10.0,
    stalled_after: Annotated[
        float, typer.Option("--stalled-after", help="Seconds of silence after which another worker's "
                            "job is run again.")
    ] = 30.0,
    name: Annotated[str | None, typer.Option("--name", help="Worker name in logs.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Run draft stages from the team queue (needs database_url = postgresql://...)."""
    from summarizer.jobs.worker import run_worker

    settings = settings_from(config)
    run_worker(settings, queues=queue, concurrency=concurrency, heartbeat=heartbeat,
               stalled_after=stalled_after, name=name,
               on_ready=lambda qs: echo(f"worker ready on queues: {', '.join(qs)}"))


@app.command()
def submit(
    source: Annotated[Path, typer.Argument(help="Recording or transcript file (on the shared data root).")],
    meeting_date: Annotated[str | None, typer.Option("--date", help="Meeting date YYYY-MM-DD.")] = None,
    client: Annotated[str | None, typer.Option("--client", help="Client organisation.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Meeting title.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the draft is ready.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Queue a draft for the team workers; prints the job id and the meeting id it will have."""
    from summarizer.errors import SummarizerError
    from summarizer.jobs import table
    from summarizer.jobs.tasks import ensure_schema, make_app
    from summarizer.jobs.tasks import submit as submit_job
    from summarizer.store.database import Store

    settings = settings_from(config)
    queue_app = make_app(settings)
    ensure_schema(queue_app, settings)
    params = {"source": str(source.resolve()), "meeting_date": meeting_date, "client": client,
              "title": title}
    with queue_app.open():
        job, created = submit_job(queue_app, settings, params)
    echo(json.dumps({"job": job.id, "meeting": job.meeting_id, "new": created}))
    while wait:
        time.sleep(0.5)
        with Store(settings) as store:
            job = table.get(store, job.id)
        if job.status == "failed":
            raise SummarizerError(f"job {job.id} failed: {job.error}", hint=job.hint)
        if job.status == "done":
            echo(f"done: {job.meeting_id}")
            return


@app.command("review-link")
def review_link(
    meeting: Annotated[str, typer.Argument(help="Meeting id (or a unique prefix).")],
    days: Annotated[float | None, typer.Option("--days", help="Days the link stays valid.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Print a signed link to a read-only page of the latest version, where the client comments and
    confirms ("Согласовано"); the confirmation is recorded as the approval with its evidence."""
    from summarizer.approval.client_link import link_url, make_token
    from summarizer.store.database import Store

    settings = settings_from(config)
    with Store(settings) as store:
        record = store.get_meeting(meeting)
        version = store.get_version(record.id)
        token = make_token(settings, version, days=days or settings.review_link_days)
    echo(link_url(settings, token))


account_app = typer.Typer(help="Accounts of the office (auth = \"accounts\"): add, list, disable.",
                          no_args_is_help=True)
app.add_typer(account_app, name="account")


@account_app.command("add")
def account_add(
    login: Annotated[str, typer.Argument(help="Login (one word).")],
    role: Annotated[str, typer.Option("--role", help="manager, reviewer or admin.")] = "manager",
    name: Annotated[str | None, typer.Option("--name", help="Full name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")]
    = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="Sign-in only through the proxy.")]
    = False,
    config: ConfigOpt = None,
) -> None:
    """Create an account; the password is hashed with argon2id."""
    import sys

    from summarizer.accounts.service import create_account
    from summarizer.store.database import Store

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with Store(settings_from(config)) as store:
        account = create_account(store, login, password, role=role, name=name, email=email)
    echo(f"account {account.login} ({account.role}) created")


@account_app.command("list")
def account_list(config: ConfigOpt = None) -> None:
    """List the accounts."""
    from summarizer.accounts.service import list_accounts
    from summarizer.store.database import Store

    with Store(settings_from(config)) as store:
        for a in list_accounts(store):
            echo(f"{a.login}\t{a.role}\t{a.name or ''}\t{'disabled' if a.disabled else ''}".rstrip())


@account_app.command("disable")
def account_disable(login: Annotated[str, typer.Argument(help="Login.")], config: ConfigOpt = None) -> None:
    """Disable an account and end its sessions."""
    from summarizer.accounts.service import get_account, set_disabled
    from summarizer.store.database import Store

    with Store(settings_from(config)) as store:
        get_account(store, login)
        set_disabled(store, login.strip().lower())
    echo(f"account {login} disabled")


@app.command("serve-team")
def serve_team(
    workers: Annotated[int, typer.Option("--workers", help="Worker processes to start beside the web app.")]
    = 2,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8765).")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Access token (needed off localhost).",
                                              envvar="SUMMARIZER_WEB_TOKEN")] = None,
    config: ConfigOpt = None,
) -> None:
    """One command for a team server: the web app plus N queue workers on the PostgreSQL store.
    More workers (a GPU machine: `summarizer worker -q transcription`) can join from other machines."""
    import signal
    import subprocess
    import sys

    import uvicorn

    from summarizer.errors import ConfigError
    from summarizer.jobs.tasks import ensure_schema, make_app
    from summarizer.web import create_app

    settings = settings_from(config, web_host=host, web_port=port, web_token=token)
    if not settings.auth and settings.web_host not in ("127.0.0.1", "localhost", "::1"):
        echo("warning: auth is not set: everyone with the token acts as one user "
             "(set auth = \"accounts\" and add accounts with `summarizer account add`)", err=True)
    ensure_schema(make_app(settings), settings)  # refuses a non-PostgreSQL store with a clear message
    web = create_app(settings, host=settings.web_host)
    extra = ["--config", str(config)] if config else []
    command = [sys.executable, "-m", "summarizer", "worker"]
    procs = [subprocess.Popen([*command, "--name", f"local-{i + 1}", *extra]) for i in range(max(0, workers))]

    def stop(signum: int, frame: object) -> None:
        # uvicorn re-raises the SIGTERM it handled once it has shut down; end here so the workers
        # are stopped below instead of being left running without their server
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    where = f"http://{settings.web_host}:{settings.web_port}/"
    echo(f"summarizer team server: {where} with {len(procs)} worker(s)")
    try:
        uvicorn.run(web, host=settings.web_host, port=settings.web_port, log_level="warning",
                    proxy_headers=False, server_header=False)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
    if any(p.returncode not in (0, -signal.SIGTERM) for p in procs):
        raise ConfigError("a worker stopped with an error; see its output above")
