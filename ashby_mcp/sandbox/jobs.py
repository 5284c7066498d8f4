"""Jobs and job postings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.custom_values import custom_field_values
from ashby_mcp.sandbox.org import build_department, build_location, department_name, pick_office, region_count
from ashby_mcp.sandbox.users import build_user, hiring_team_member
from ashby_mcp.sandbox.values import DAY_MS, iso_date, iso_timestamp, later_instant, random_instant
from ashby_mcp.sandbox.vocab import EMPLOYMENT_TYPES, HIRING_TEAM_ROLES, JOB_STATUSES, JOB_TITLES

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset


@dataclass(frozen=True)
class JobCore:
    """The parts of a job that applications and postings copy."""

    id: str
    title: str
    status: str
    employment_type: str
    location_index: int | None
    department_index: int | None
    hiring_team: tuple[tuple[int, str], ...]
    """(user index, role) pairs."""
    created_ms: int


def _draw_job_core(dataset: Dataset, rng: random.Random, index: int) -> JobCore:
    title = rng.choice(JOB_TITLES)
    status = rng.choice(JOB_STATUSES)
    employment_type = rng.choice(EMPLOYMENT_TYPES)
    location_index = pick_office(dataset, rng)
    department_index = dataset.pick(rng, "departments")
    members = dataset.sample(rng, "users", 1, 3)
    hiring_team = tuple(zip(members, HIRING_TEAM_ROLES))
    created_ms = random_instant(rng)
    return JobCore(
        dataset.id("jobs", index), title, status, employment_type,
        location_index, department_index, hiring_team, created_ms,
    )


def job_core(dataset: Dataset, index: int) -> JobCore:
    """Return the shared parts of job `index`, as build_job generates them."""
    return _draw_job_core(dataset, dataset.rng("jobs", index), index)


def _optional_id(dataset: Dataset, kind: str, index: int | None) -> str | None:
    return None if index is None else dataset.id(kind, index)


def job_reference(dataset: Dataset, core: JobCore) -> dict:
    """Return the `job` object that applications embed."""
    return {
        "id": core.id,
        "title": core.title,
        "locationId": _optional_id(dataset, "locations", core.location_index),
        "departmentId": _optional_id(dataset, "departments", core.department_index),
    }


def build_job(dataset: Dataset, index: int) -> dict:
    """Build job `index`. Its jobPostingIds are exactly the postings whose jobId is this job."""
    rng = dataset.rng("jobs", index)
    core = _draw_job_core(dataset, rng, index)

    opened_ms = None if core.status == "Draft" else later_instant(rng, core.created_ms, 30)
    closed_ms = None
    if core.status in ("Closed", "Archived") and opened_ms is not None:
        closed_ms = later_instant(rng, opened_ms, 300)
    updated_ms = later_instant(rng, closed_ms or opened_ms or core.created_ms, 60)
    author_index = dataset.pick(rng, "users")
    plan_id = dataset.id("interview_plans", index)

    return {
        "id": core.id,
        "title": core.title,
        "confidential": rng.random() < 0.1,
        "status": core.status,
        "employmentType": core.employment_type,
        "locationId": _optional_id(dataset, "locations", core.location_index),
        "departmentId": _optional_id(dataset, "departments", core.department_index),
        "defaultInterviewPlanId": plan_id,
        "interviewPlanIds": [plan_id],
        "jobPostingIds": [dataset.id("job_postings", p) for p in dataset.postings_by_job.children_of(index)],
        "customFields": custom_field_values(dataset, rng, "Job"),
        "hiringTeam": [hiring_team_member(dataset, user, role) for user, role in core.hiring_team],
        "customRequisitionId": f"REQ-{1000 + index}" if rng.random() < 0.7 else None,
        "brandId": dataset.id("brands", 0) if rng.random() < 0.3 else None,
        "author": None if author_index is None else build_user(dataset, author_index),
        "createdAt": iso_timestamp(core.created_ms),
        "updatedAt": iso_timestamp(updated_ms),
        "openedAt": None if opened_ms is None else iso_timestamp(opened_ms),
        "closedAt": None if closed_ms is None else iso_timestamp(closed_ms),
    }


def _department_and_team(dataset: Dataset, department_index: int | None) -> tuple[str | None, str | None]:
    """Return (departmentName, teamName): the parent department and the team when nested."""
    if department_index is None:
        return None, None
    department = build_department(dataset, department_index)
    parent_index = None
    if department["parentId"] is not None:
        parent_index = dataset.index_of("departments", department["parentId"])
    if parent_index is None:
        return department["name"], department["name"]
    return department_name(parent_index), department["name"]


def _secondary_locations(dataset: Dataset, rng: random.Random, primary: int | None) -> list[str]:
    offices = range(region_count(dataset), dataset.count("locations"))
    others = [index for index in offices if index != primary]
    chosen = rng.sample(others, min(len(others), rng.choice((0, 0, 0, 1, 2))))
    return [dataset.id("locations", index) for index in chosen]


def build_job_posting(dataset: Dataset, index: int) -> dict:
    """Build job posting `index`; its jobId is the job whose jobPostingIds lists it."""
    rng = dataset.rng("job_postings", index)
    job_index = dataset.postings_by_job.parent_of(index)
    core = job_core(dataset, job_index)
    posting_id = dataset.id("job_postings", index)

    location = None if core.location_index is None else build_location(dataset, core.location_index)
    department_label, team_label = _department_and_team(dataset, core.department_index)
    published_ms = later_instant(rng, core.created_ms, 30)
    title = core.title
    if location is not None and rng.random() < 0.3:
        title = f"{core.title} ({location['name']})"
    summary = None
    if rng.random() < 0.6:
        low = rng.randrange(60, 200, 5)
        summary = f"${low}K – ${low + rng.randrange(10, 60, 5)}K • Offers Equity"

    return {
        "id": posting_id,
        "title": title,
        "jobId": core.id,
        "departmentName": department_label,
        "teamName": team_label,
        "locationName": None if location is None else location["name"],
        "locationExternalName": None if location is None else location["externalName"],
        "workplaceType": None if location is None else location["workplaceType"],
        "employmentType": core.employment_type,
        "isListed": core.status == "Open" and rng.random() < 0.85,
        "publishedDate": iso_date(published_ms),
        "applicationDeadline": (
            iso_timestamp(published_ms + rng.randint(14, 90) * DAY_MS) if rng.random() < 0.15 else None
        ),
        "externalLink": f"https://careers.example.com/jobs/{posting_id}" if rng.random() < 0.5 else None,
        "applyLink": f"https://jobs.example.com/{dataset.config.workspace_name}/{posting_id}/application",
        "locationIds": {
            "primaryLocationId": _optional_id(dataset, "locations", core.location_index),
            "secondaryLocationIds": _secondary_locations(dataset, rng, core.location_index),
        },
        "compensationTierSummary": summary,
        "shouldDisplayCompensationOnJobBoard": summary is not None and rng.random() < 0.7,
        "updatedAt": iso_timestamp(later_instant(rng, published_ms, 90)),
    }
