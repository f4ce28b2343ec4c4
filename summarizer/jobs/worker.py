"""``summarizer worker``: one Procrastinate worker on the chosen stage queues, plus stalled-job recovery.

Procrastinate workers write a heartbeat every ``heartbeat`` seconds. A worker killed with SIGKILL stops
writing it and leaves its job in the ``doing`` state; every worker here looks, every ``heartbeat``
seconds, for jobs whose worker has been silent for ``stalled_after`` seconds and puts them back in
the queue (``JobManager.get_stalled_jobs`` + ``retry_job``, Procrastinate's documented recipe), so
another worker runs them again. The stages are idempotent (see ``summarizer.jobs.tasks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from summarizer.config import Settings
from summarizer.errors import ConfigError
from summarizer.jobs.tasks import QUEUES, ensure_schema, make_app

log = logging.getLogger(__name__)


def check_queues(queues: list[str] | None) -> list[str]:
    known = sorted(set(QUEUES.values()))
    chosen = queues or known
    unknown = [q for q in chosen if q not in known]
    if unknown:
        raise ConfigError(f"unknown queue(s) {', '.join(unknown)}", hint=f"queues are: {', '.join(known)}")
    return chosen


async def _recover_stalled(app: Any, every: float, stalled_after: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
            for job in stalled:
                log.warning("job %s (%s) was running on a worker that stopped; queued again",
                            job.id, job.task_name)
                await app.job_manager.retry_job(job)
        except Exception:  # a database hiccup must not stop the worker; try again next round
            log.exception("stalled-job check failed")


async def _run(app: Any, queues: list[str], concurrency: int, heartbeat: float, stalled_after: float,
               name: str | None) -> None:
    async with app.open_async():
        recovery = asyncio.create_task(_recover_stalled(app, heartbeat, stalled_after))
        try:
            await app.run_worker_async(
                queues=queues, concurrency=concurrency, name=name, update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after, install_signal_handlers=True,
            )
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery


def run_worker(settings: Settings, *, queues: list[str] | None = None, concurrency: int = 1,
               heartbeat: float = 10.0, stalled_after: float = 30.0, name: str | None = None,
               on_ready: Any = None) -> None:
    chosen = check_queues(queues)
    app = make_app(settings)
    ensure_schema(app, settings)
    if on_ready:
        on_ready(chosen)
    from procrastinate import exceptions

    from summarizer.errors import StoreError
    from summarizer.store.backend import redact_url

    try:
        asyncio.run(_run(app, chosen, concurrency, heartbeat, stalled_after, name))
    except exceptions.ConnectorException as exc:
        raise StoreError(f"{redact_url(str(settings.database_url))}: the queue's database connection failed "
                         f"({exc.__cause__ or exc})".replace("\n", " "),
                         hint="check PostgreSQL is running; start the worker again once it is") from exc
