"""The administrators' job page: scheduled jobs, their runs, and the mail queue's health."""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import jobs, scheduler
from app.db import get_bind
from app.deps import SessionDep, require
from app.services.access.roles import Principal
from app.services.mail import delivery as mail_service
from app.services.platform import job_runs
from app.templating import render

router = APIRouter()

JobManager = Annotated[Principal, require("can_manage_jobs")]
Bind = Annotated[Engine, Depends(get_bind)]


def get_registered_job(job_id: str, user: JobManager) -> tuple[str, Any]:
    """A job registered in app.scheduler.JOBS: 404 for any other id."""
    for registered_id, func, *_rest in scheduler.JOBS:
        if registered_id == job_id:
            return registered_id, func
    raise HTTPException(status.HTTP_404_NOT_FOUND)


RegisteredJob = Annotated[tuple[str, Any], Depends(get_registered_job)]


@router.get("/admin/jobs", name="admin_jobs")
def jobs_page(request: Request, session: SessionDep, user: JobManager) -> Response:
    """Every scheduled job with its next and last run, and the mail queue."""
    registered = [
        (job_id, job_runs.describe_trigger(trigger, arguments))
        for job_id, _func, trigger, arguments in scheduler.JOBS
    ]
    context = {
        "jobs": job_runs.overview(session, registered),
        "mail": mail_service.queue_health(session),
    }
    return render(request, "admin/jobs.html", context)


@router.post("/admin/jobs/{job_id}/run")
def run_job(
    session: SessionDep,
    user: JobManager,
    job: RegisteredJob,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Run a job now, in this process, after the answer; its run is recorded like any other."""
    job_id, func = job
    job_runs.request_run(session, job_id, user.id)
    background.add_task(jobs.run_now, job_id, func, bind)
    return RedirectResponse(f"/admin/jobs#job-{job_id}", status_code=303)
