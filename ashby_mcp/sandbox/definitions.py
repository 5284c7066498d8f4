"""Templates of custom field definitions and feedback forms.

Record `i` of custom_fields uses template `i % len(CUSTOM_FIELD_TEMPLATES)`, so the
default 15 definitions cover every value kind on candidates. Templates past the end
of the list repeat with a number appended to the title.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomFieldTemplate:
    """One custom field definition: the object it belongs to and its value type."""

    title: str
    object_type: str
    field_type: str
    is_private: bool = False
    choices: tuple[str, ...] = ()
    """Labels of the selectable values, for ValueSelect and MultiValueSelect fields."""


CUSTOM_FIELD_TEMPLATES: tuple[CustomFieldTemplate, ...] = (
    CustomFieldTemplate("Open to relocation", "Candidate", "Boolean"),
    CustomFieldTemplate("Recruiter notes", "Candidate", "LongText", is_private=True),
    CustomFieldTemplate("Current employer", "Candidate", "String"),
    CustomFieldTemplate("Years of experience", "Candidate", "Number"),
    CustomFieldTemplate("Earliest start date", "Candidate", "Date"),
    CustomFieldTemplate(
        "Languages", "Candidate", "MultiValueSelect",
        choices=("English", "Deutsch", "Español", "Tiếng Việt", "日本語", "Русский", "Íslenska"),
    ),
    CustomFieldTemplate("Salary expectation", "Candidate", "Currency", is_private=True),
    CustomFieldTemplate("Expected compensation range", "Candidate", "CompensationRange", is_private=True),
    CustomFieldTemplate(
        "Work authorization", "Candidate", "ValueSelect",
        choices=("Citizen", "Permanent resident", "Needs sponsorship", "Unknown"),
    ),
    CustomFieldTemplate("Referral bonus eligible", "Application", "Boolean"),
    CustomFieldTemplate("Notice period (weeks)", "Application", "NumberRange"),
    CustomFieldTemplate(
        "Interview track", "Application", "ValueSelect",
        choices=("Standard", "Accelerated", "Executive"),
    ),
    CustomFieldTemplate("Cost center", "Job", "String"),
    CustomFieldTemplate("Target start date", "Job", "Date"),
    CustomFieldTemplate("Budgeted salary", "Job", "Currency", is_private=True),
    CustomFieldTemplate("Offer signing bonus", "Offer", "Currency", is_private=True),
    CustomFieldTemplate("Opening headcount", "Opening", "Number"),
)


def custom_field_template(index: int) -> tuple[CustomFieldTemplate, str]:
    """Return the template of custom field `index` and the title that record uses."""
    template = CUSTOM_FIELD_TEMPLATES[index % len(CUSTOM_FIELD_TEMPLATES)]
    cycle = index // len(CUSTOM_FIELD_TEMPLATES)
    title = template.title if cycle == 0 else f"{template.title} ({cycle + 1})"
    return template, title


FEEDBACK_FORM_TITLES = (
    "Standard Interview Scorecard",
    "Recruiter Phone Screen",
    "Technical Interview",
    "Onsite Debrief",
    "Reference Check",
    "Portfolio Review",
)

FEEDBACK_SECTION_TITLES = ("Overall", "Skills", "Collaboration", "Logistics", None)

# Feedback form field types and the titles a field of that type may get.
FEEDBACK_FIELD_TITLES: dict[str, tuple[str, ...]] = {
    "Boolean": ("Would you work with this person?", "Did the candidate finish the exercise?"),
    "Date": ("Date of interview", "Earliest availability"),
    "Email": ("Reference email address",),
    "Number": ("Years of relevant experience", "Minutes spent on the exercise"),
    "RichText": ("Summary of the interview", "Strengths and concerns", "Notes for the debrief"),
    "Score": ("Overall recommendation", "Technical depth", "Communication"),
    "Phone": ("Reference phone number",),
    "String": ("Interviewer's focus area", "Role discussed"),
    "ValueSelect": ("Seniority assessment", "Hiring decision"),
    "MultiValueSelect": ("Areas covered", "Languages used"),
}

FEEDBACK_FIELD_CHOICES: dict[str, tuple[str, ...]] = {
    "ValueSelect": ("Junior", "Mid-level", "Senior", "Staff", "Strong yes", "Yes", "No", "Strong no"),
    "MultiValueSelect": ("System design", "Coding", "Debugging", "Python", "TypeScript", "Go", "SQL"),
}
