"""Candidates and their applications."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.custom_values import EMPLOYERS, custom_field_values
from ashby_mcp.sandbox.jobs import job_core, job_reference
from ashby_mcp.sandbox.metadata import build_archive_reason, build_candidate_tag, build_source
from ashby_mcp.sandbox.users import PersonName, build_user, hiring_team_member, random_person_name
from ashby_mcp.sandbox.values import (
    documentation_ip,
    fictional_phone,
    file_handle,
    iso_timestamp,
    later_instant,
    random_instant,
)
from ashby_mcp.sandbox.vocab import (
    APPLICATION_STATUSES,
    EMAIL_DOMAINS,
    FILE_NAMES,
    INTERVIEW_STAGES,
    JOB_TITLES,
    LOCATION_CITIES,
    PHONE_AREA_CODES,
    PHONE_TYPES,
    SOCIAL_LINK_TYPES,
    TIMEZONES,
    USER_AGENTS,
)

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset

SCHOOLS = ("Example State University", "Universidad de Ejemplo", "Sample Institute of Technology",
           "Háskóli Dæmis", "Placeholder College", "示例大学")
SOCIAL_HOSTS = {
    "LinkedIn": "https://linkedin.example.com/in/{slug}",
    "GitHub": "https://github.example.com/{slug}",
    "Twitter": "https://twitter.example.com/{slug}",
    "Website": "https://{slug}.example.net",
}


@dataclass(frozen=True)
class CandidateIdentity:
    """The parts of a candidate that applications embed."""

    id: str
    name: PersonName
    emails: tuple[dict, ...]
    phones: tuple[dict, ...]
    created_ms: int


def _draw_candidate_identity(dataset: Dataset, rng: random.Random, index: int) -> CandidateIdentity:
    name = random_person_name(rng)
    emails = []
    if rng.random() < 0.95:
        local = f"{name.ascii_first}.{name.ascii_last}{index}"
        emails.append({"value": f"{local}@{rng.choice(EMAIL_DOMAINS)}", "type": "Personal", "isPrimary": True})
        for _ in range(rng.choice((0, 0, 1, 2))):
            kind = rng.choice(("Work", "Other"))
            local = f"{name.ascii_first[0]}{name.ascii_last}{index}.{kind.lower()}{len(emails)}"
            emails.append({"value": f"{local}@{rng.choice(EMAIL_DOMAINS)}", "type": kind, "isPrimary": False})
    phones = [
        {"value": fictional_phone(rng, PHONE_AREA_CODES), "type": rng.choice(PHONE_TYPES), "isPrimary": number == 0}
        for number in range(rng.choice((0, 1, 1, 2)))
    ]
    return CandidateIdentity(dataset.id("candidates", index), name, tuple(emails), tuple(phones), random_instant(rng))


def candidate_identity(dataset: Dataset, index: int) -> CandidateIdentity:
    """Return the name, email addresses and phone numbers of candidate `index`."""
    return _draw_candidate_identity(dataset, dataset.rng("candidates", index), index)


def _social_links(rng: random.Random, name: PersonName, index: int) -> list[dict]:
    slug = f"{name.ascii_first}-{name.ascii_last}-{index}"
    kinds = rng.sample(SOCIAL_LINK_TYPES, rng.choice((0, 1, 1, 2, 3)))
    return [{"type": kind, "url": SOCIAL_HOSTS[kind].format(slug=slug)} for kind in kinds]


def _file_handles(dataset: Dataset, rng: random.Random, index: int, candidate_id: str) -> list[dict]:
    handles = []
    for number in range(rng.choice((0, 1, 1, 1, 2, 3))):
        file_id = dataset.id("files", index * 4 + number)
        handles.append({
            "id": file_id,
            "name": rng.choice(FILE_NAMES),
            "handle": file_handle(rng, file_id, candidate_id),
        })
    return handles


def _candidate_location(dataset: Dataset, rng: random.Random) -> dict | None:
    if rng.random() < 0.3:
        return None
    city, region, country, _, _ = rng.choice([entry for entry in LOCATION_CITIES if entry[2]])
    components = [{"type": "Country", "name": country}, {"type": "City", "name": city}]
    if region:
        components.insert(1, {"type": "Region", "name": region})
    return {
        "id": dataset.id("candidate_locations", rng.randrange(1 << 20)),
        "locationSummary": ", ".join(part for part in (city, region, country) if part),
        "locationComponents": components,
    }


def build_candidate(dataset: Dataset, index: int) -> dict:
    """Build candidate `index`; applicationIds lists exactly the applications whose candidate it is.

    Besides the reference's fields, the record carries the fields real payloads add:
    primaryEmailAddress, position, company, school and location.
    """
    rng = dataset.rng("candidates", index)
    identity = _draw_candidate_identity(dataset, rng, index)
    tag_indexes = dataset.sample(rng, "candidate_tags", 0, 3)
    long_notes = rng.random() < 0.1
    source_index = dataset.pick(rng, "sources") if rng.random() < 0.75 else None
    credited_index = dataset.pick(rng, "users") if rng.random() < 0.4 else None

    return {
        "id": identity.id,
        "createdAt": iso_timestamp(identity.created_ms),
        "updatedAt": iso_timestamp(later_instant(rng, identity.created_ms, 365)),
        "name": identity.name.full,
        "emailAddresses": list(identity.emails),
        "phoneNumbers": list(identity.phones),
        "socialLinks": _social_links(rng, identity.name, index),
        "tags": [build_candidate_tag(dataset, tag) for tag in tag_indexes],
        "applicationIds": [
            dataset.id("applications", a) for a in dataset.applications_by_candidate.children_of(index)
        ],
        "fileHandles": _file_handles(dataset, rng, index, identity.id),
        "customFields": custom_field_values(dataset, rng, "Candidate", long_notes=long_notes),
        "profileUrl": f"https://app.ashbyhq.com/candidates/{identity.id}",
        "source": None if source_index is None else build_source(dataset, source_index),
        "creditedToUser": None if credited_index is None else build_user(dataset, credited_index),
        "timezone": rng.choice(TIMEZONES) if rng.random() < 0.4 else None,
        "primaryEmailAddress": identity.emails[0] if identity.emails else None,
        "position": rng.choice(JOB_TITLES) if rng.random() < 0.6 else None,
        "company": rng.choice(EMPLOYERS) if rng.random() < 0.5 else None,
        "school": rng.choice(SCHOOLS) if rng.random() < 0.4 else None,
        "location": _candidate_location(dataset, rng),
    }


def _interview_stage(dataset: Dataset, rng: random.Random, job_index: int, status: str) -> dict:
    if status == "Lead":
        order = 0
    elif status == "Hired":
        order = 6
    elif status == "Archived":
        order = 7
    else:
        order = rng.randint(1, 5)
    title, stage_type = INTERVIEW_STAGES[order]
    return {
        "id": dataset.id("interview_stages", job_index * 16 + order),
        "title": title,
        "type": stage_type,
        "orderInInterviewPlan": order,
        "interviewStageGroupId": dataset.id("interview_stage_groups", order),
        "interviewPlanId": dataset.id("interview_plans", job_index),
    }


def build_application(dataset: Dataset, index: int) -> dict:
    """Build application `index`. `archivedAt` is present only on archived applications."""
    rng = dataset.rng("applications", index)
    candidate_index = dataset.applications_by_candidate.parent_of(index)
    candidate = candidate_identity(dataset, candidate_index)
    status = rng.choice(APPLICATION_STATUSES)
    created_ms = later_instant(rng, candidate.created_ms, 200)
    updated_ms = later_instant(rng, created_ms, 120)

    job_index = dataset.pick(rng, "jobs")
    job = None
    hiring_team: list[dict] = []
    stage = None
    posting_id = None
    if job_index is not None:
        core = job_core(dataset, job_index)
        job = job_reference(dataset, core)
        hiring_team = [hiring_team_member(dataset, user, role) for user, role in core.hiring_team]
        stage = _interview_stage(dataset, rng, job_index, status)
        postings = dataset.postings_by_job.children_of(job_index)
        if postings and rng.random() < 0.7:
            posting_id = dataset.id("job_postings", rng.choice(postings))

    source_index = dataset.pick(rng, "sources") if rng.random() < 0.8 else None
    credited_index = dataset.pick(rng, "users") if rng.random() < 0.4 else None
    reason_index = dataset.pick(rng, "archive_reasons") if status == "Archived" else None

    record: dict = {
        "id": dataset.id("applications", index),
        "createdAt": iso_timestamp(created_ms),
        "updatedAt": iso_timestamp(updated_ms),
    }
    if status == "Archived":
        record["archivedAt"] = iso_timestamp(updated_ms)
    record.update({
        "candidate": {
            "id": candidate.id,
            "name": candidate.name.full,
            "primaryEmailAddress": candidate.emails[0] if candidate.emails else None,
            "primaryPhoneNumber": candidate.phones[0] if candidate.phones else None,
        },
        "status": status,
        "customFields": custom_field_values(dataset, rng, "Application"),
        "currentInterviewStage": stage,
        "source": None if source_index is None else build_source(dataset, source_index),
        "creditedToUser": None if credited_index is None else build_user(dataset, credited_index),
        "archiveReason": None if reason_index is None else build_archive_reason(dataset, reason_index),
        "job": job,
        "hiringTeam": hiring_team,
        "appliedViaJobPostingId": posting_id,
        "submitterClientIp": documentation_ip(rng) if posting_id and rng.random() < 0.9 else None,
        "submitterUserAgent": rng.choice(USER_AGENTS) if posting_id else None,
    })
    return record
