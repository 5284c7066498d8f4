"""The Ashby connector's entities, actions, parameters and record fields.

This module is the single source of truth for the tool set. Tool names,
descriptions, input and output schemas, execute request bodies, the README's
tables and the catalog-wide tests all read these entries. The data follows the
Ashby agent connector reference: every list action takes `cursor` and
`limit`, every get action takes one id parameter whose wire name differs per
entity, and each entity's records carry the fields of its response table.

Adding an entity means adding one `Entity` to `ENTITIES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["list", "get"]

# JSON types a response-table cell can name. "any" stands for the reference's
# `object | any`: Ashby sends an object or null, and the connector does not
# promise more than that.
FieldType = Literal["string", "boolean", "integer", "array", "object", "any"]


@dataclass(frozen=True, slots=True)
class RecordField:
    """One field of an entity's records, as its response table lists it."""

    name: str
    type: FieldType
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Parameter:
    """One wire parameter of an action, spelled exactly as the connector expects."""

    name: str
    type: Literal["string", "integer"]
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class Entity:
    """An Ashby object the connector exposes, with the actions it supports."""

    name: str
    """Wire name sent as `entity` in the execute body (snake_case)."""
    singular: str
    """Human name of one record, used in descriptions ("candidate")."""
    summary: str
    """Description of the records, written for a model choosing a tool."""
    fields: tuple[RecordField, ...]
    get_id_param: str | None = None
    """Wire name of the get action's id parameter; None when there is no get action."""
    list_view: tuple[str, ...] | None = None
    """Dot paths a list result shows when the call names no `fields`; None shows every field.

    Only entities with a get action have one, so that every field stays one
    call away. The paths pick what a model needs to choose records and follow
    references, and they keep pages small.
    """

    @property
    def actions(self) -> tuple[Action, ...]:
        return ("list", "get") if self.get_id_param else ("list",)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def parameters(self, action: Action) -> tuple[Parameter, ...]:
        """Return the wire parameters of one action, in reference order."""
        if action == "list":
            return LIST_PARAMETERS
        if action == "get" and self.get_id_param:
            return (
                Parameter(
                    name=self.get_id_param,
                    type="string",
                    required=True,
                    description=f"{self.singular.capitalize()} ID",
                ),
            )
        raise ValueError(f"entity {self.name!r} has no {action!r} action")


LIST_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("cursor", "string", False, "Pagination cursor for next page"),
    Parameter("limit", "integer", False, "Maximum number of records to return per page"),
)


def _fields(spec: str) -> tuple[RecordField, ...]:
    """Parse a compact `name:type` list; the first field (`id`) is never null."""
    parsed = []
    for index, item in enumerate(spec.split()):
        name, _, kind = item.partition(":")
        parsed.append(RecordField(name=name, type=kind, nullable=index != 0))  # type: ignore[arg-type]
    return tuple(parsed)


ENTITIES: tuple[Entity, ...] = (
    Entity(
        name="candidates",
        singular="candidate",
        summary="people in the pipeline (name, emails, phones, tags, source, applicationIds)",
        fields=_fields(
            "id:string createdAt:string updatedAt:string name:string emailAddresses:array "
            "phoneNumbers:array socialLinks:array tags:array applicationIds:array "
            "fileHandles:array customFields:array profileUrl:string source:any "
            "creditedToUser:any timezone:string"
        ),
        get_id_param="id",
        list_view=(
            "id", "name", "emailAddresses.value", "phoneNumbers.value", "tags.title", "source.title",
            "applicationIds", "createdAt", "updatedAt",
        ),
    ),
    Entity(
        name="applications",
        singular="application",
        summary="candidate, job, status, stage, source and archive reason",
        fields=_fields(
            "id:string createdAt:string updatedAt:string archivedAt:string candidate:any "
            "status:string customFields:array currentInterviewStage:any source:any "
            "creditedToUser:any archiveReason:any job:any hiringTeam:array "
            "appliedViaJobPostingId:string submitterClientIp:string submitterUserAgent:string"
        ),
        get_id_param="applicationId",
        list_view=(
            "id", "status", "candidate.id", "candidate.name", "job.id", "job.title",
            "currentInterviewStage.title", "source.title", "archiveReason.text", "creditedToUser.id",
            "createdAt", "updatedAt", "archivedAt",
        ),
    ),
    Entity(
        name="jobs",
        singular="job",
        summary="open, closed and archived jobs (title, status, location, department, team)",
        fields=_fields(
            "id:string title:string confidential:boolean status:string employmentType:string "
            "locationId:string departmentId:string defaultInterviewPlanId:string "
            "interviewPlanIds:array jobPostingIds:array customFields:array hiringTeam:array "
            "customRequisitionId:string brandId:string author:any createdAt:string "
            "updatedAt:string openedAt:string closedAt:string"
        ),
        get_id_param="id",
        list_view=(
            "id", "title", "status", "employmentType", "confidential", "locationId", "departmentId",
            "jobPostingIds", "hiringTeam.userId", "hiringTeam.role", "openedAt", "closedAt", "updatedAt",
        ),
    ),
    Entity(
        name="departments",
        singular="department",
        summary="departments and teams, with parentId",
        fields=_fields(
            "id:string name:string externalName:string isArchived:boolean parentId:string "
            "createdAt:string updatedAt:string extraData:any"
        ),
        get_id_param="departmentId",
    ),
    Entity(
        name="locations",
        singular="location",
        summary="offices and remote locations (address, workplace type, parent)",
        fields=_fields(
            "id:string name:string externalName:string isArchived:boolean address:any "
            "isRemote:boolean workplaceType:string parentLocationId:string type:string extraData:any"
        ),
        get_id_param="locationId",
        list_view=(
            "id", "name", "isArchived", "isRemote", "workplaceType", "parentLocationId", "type",
            "address.postalAddress.addressLocality", "address.postalAddress.addressCountry",
        ),
    ),
    Entity(
        name="users",
        singular="user",
        summary="recruiters, hiring managers and interviewers (name, email, role, enabled)",
        fields=_fields(
            "id:string firstName:string lastName:string email:string globalRole:string "
            "isEnabled:boolean updatedAt:string"
        ),
        get_id_param="userId",
    ),
    Entity(
        name="job_postings",
        singular="job posting",
        summary="job board postings (title, jobId, department, location, publish date, "
        "apply link, compensation)",
        fields=_fields(
            "id:string title:string jobId:string departmentName:string teamName:string "
            "locationName:string locationExternalName:string workplaceType:string "
            "employmentType:string isListed:boolean publishedDate:string "
            "applicationDeadline:string externalLink:string applyLink:string locationIds:any "
            "compensationTierSummary:string shouldDisplayCompensationOnJobBoard:boolean "
            "updatedAt:string"
        ),
        get_id_param="jobPostingId",
        list_view=(
            "id", "title", "jobId", "departmentName", "teamName", "locationName", "workplaceType",
            "employmentType", "isListed", "publishedDate", "applicationDeadline", "compensationTierSummary",
            "updatedAt",
        ),
    ),
    Entity(
        name="sources",
        singular="source",
        summary="candidate sources (job boards, referrals, agencies)",
        fields=_fields("id:string title:string isArchived:boolean sourceType:any"),
    ),
    Entity(
        name="archive_reasons",
        singular="archive reason",
        summary="why applications were archived, by reasonType",
        fields=_fields("id:string text:string reasonType:string isArchived:boolean"),
    ),
    Entity(
        name="candidate_tags",
        singular="candidate tag",
        summary="tags for candidates",
        fields=_fields("id:string title:string isArchived:boolean"),
    ),
    Entity(
        name="custom_fields",
        singular="custom field",
        summary="custom field definitions (title, objectType, fieldType)",
        fields=_fields(
            "id:string title:string objectType:string isArchived:boolean isPrivate:boolean "
            "fieldType:string"
        ),
    ),
    Entity(
        name="feedback_form_definitions",
        singular="feedback form definition",
        summary="interview feedback forms with sections and fields",
        fields=_fields(
            "id:string organizationId:string title:string isArchived:boolean "
            "isDefaultForm:boolean formDefinition:any interviewId:string"
        ),
    ),
)

ENTITIES_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}


def entity(name: str) -> Entity:
    """Return the entity with this wire name, or raise KeyError naming the known ones."""
    try:
        return ENTITIES_BY_NAME[name]
    except KeyError:
        known = ", ".join(ENTITIES_BY_NAME)
        raise KeyError(f"unknown entity {name!r}; known entities: {known}") from None
