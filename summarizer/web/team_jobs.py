"""The web app's job runner in team mode: drafts go to the Procrastinate queue, progress comes from
``team_jobs``, so the job page shows the stage and log whichever worker machine runs it.

Same interface as ``summarizer.web.jobs.JobRunner`` (start, stop, submit, get, list, retry), chosen by
``make_runner`` when the store is on PostgreSQL; a single user keeps the in-process runner.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from summarizer.config import Settings
from summarizer.store.backend import is_postgres_url
from summarizer.store.database import Store
from summarizer.web.jobs import Job, JobFunc, JobRunner


def make_runner(settings: Settings, handlers: dict[str, JobFunc]) -> JobRunner | TeamJobRunner:
    if is_postgres_url(settings.database_url):
        return TeamJobRunner(settings)
    return JobRunner(settings, handlers)


def _web_job(job: Any) -> Job:
    data = dataclasses.asdict(job)
    data.pop("worker", None)
    return Job(**data)


class TeamJobRunner:
    def __init__(self, settings: Settings) -> None:
        from summarizer.jobs.tasks import make_app

        self.settings = settings
        self.app = make_app(settings)
        self._open = False

    def start(self) -> None:
        from summarizer.jobs.tasks import ensure_schema

        ensure_schema(self.app, self.settings)
        self.app.open()
        self._open = True

    def stop(self) -> None:
        if self._open:
            self.app.close()
            self._open = False

    def submit(self, kind: str, params: dict[str, Any], *, job_id: str | None = None) -> Job:
        from summarizer.jobs.tasks import submit

        job, _created = submit(self.app, self.settings, params)
        return _web_job(job)

    def get(self, job_id: str) -> Job:
        from summarizer.jobs import table

        with Store(self.settings) as store:
            return _web_job(table.get(store, job_id))

    def list(self) -> list[Job]:
        from summarizer.jobs import table

        with Store(self.settings) as store:
            return [_web_job(j) for j in table.list_jobs(store)]

    def retry(self, job_id: str) -> Job:
        """A failed job starts again from its first stage (the stages skip what is already done)."""
        from summarizer.jobs import table
        from summarizer.jobs.tasks import defer, first_step

        with Store(self.settings) as store:
            job = table.get(store, job_id)
            if job.status == "failed":
                table.update(store, job_id, status="queued", stage="queued", error=None, hint=None,
                             log_line="retried")
                defer(self.app, first_step(job.params), job_id)
            return _web_job(table.get(store, job_id))
