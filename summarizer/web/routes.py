"""Every URL of the web app in one list."""

from __future__ import annotations

from starlette.routing import Route

from summarizer.web import approval_page, pages, review_page

ROUTES = [
    Route("/", pages.meeting_list),
    Route("/favicon.ico", pages.favicon),
    Route("/new", pages.new_meeting_form, methods=["GET"]),
    Route("/new", pages.new_meeting_submit, methods=["POST"]),
    Route("/lang/{code}", pages.choose_language),
    Route("/jobs/{job_id}", pages.job_page),
    Route("/jobs/{job_id}/status", pages.job_status),
    Route("/jobs/{job_id}/retry", pages.job_retry, methods=["POST"]),
    Route("/m/{meeting_id}", review_page.review_page, methods=["GET"]),
    Route("/m/{meeting_id}", review_page.review_save, methods=["POST"]),
    Route("/m/{meeting_id}/audio", review_page.audio),
    Route("/m/{meeting_id}/transcript", review_page.transcript_context),
    Route("/m/{meeting_id}/approval", approval_page.approval_page),
    Route("/m/{meeting_id}/state", approval_page.change_state, methods=["POST"]),
    Route("/m/{meeting_id}/send", approval_page.send, methods=["POST"]),
    Route("/m/{meeting_id}/approve", approval_page.approve, methods=["POST"]),
    Route("/m/{meeting_id}/client-changes", approval_page.client_changes, methods=["POST"]),
    Route("/m/{meeting_id}/restore", approval_page.restore, methods=["POST"]),
    Route("/m/{meeting_id}/diff", approval_page.diff_page),
    Route("/m/{meeting_id}/exports", approval_page.exports_page),
    Route("/m/{meeting_id}/export/{fmt}", approval_page.export),
    Route("/m/{meeting_id}/outbox/{name}", approval_page.outbox_file),
]
