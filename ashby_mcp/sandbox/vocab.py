"""Word lists the generated records draw from. Every person and company here is fictional."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NameCulture:
    """First and last names of one naming tradition, each paired with an ASCII spelling for emails."""

    first: tuple[tuple[str, str], ...]
    last: tuple[tuple[str, str], ...]
    family_name_first: bool = False
    separator: str = " "


NAME_CULTURES: tuple[NameCulture, ...] = (
    NameCulture(
        first=(("Alice", "alice"), ("Zoë", "zoe"), ("Oliver", "oliver"), ("Maya", "maya"),
               ("Ethan", "ethan"), ("Priya", "priya"), ("Noah", "noah"), ("Chloé", "chloe")),
        last=(("Whitfield", "whitfield"), ("Okafor", "okafor"), ("Brennan", "brennan"),
              ("Castellano", "castellano"), ("Lindqvist", "lindqvist"), ("Moreau", "moreau")),
    ),
    NameCulture(
        first=(("José", "jose"), ("Lucía", "lucia"), ("Álvaro", "alvaro"), ("Iñigo", "inigo"),
               ("María José", "mariajose"), ("Renée", "renee")),
        last=(("García Ortega", "garciaortega"), ("Muñoz", "munoz"), ("Peña", "pena"),
              ("Ibáñez", "ibanez"), ("Calderón", "calderon")),
    ),
    NameCulture(
        first=(("Minh", "minh"), ("Thảo", "thao"), ("Đức", "duc"), ("Hương", "huong"),
               ("Linh", "linh")),
        last=(("Nguyễn", "nguyen"), ("Trần", "tran"), ("Phạm", "pham"), ("Lê", "le")),
    ),
    NameCulture(
        first=(("Ólafur", "olafur"), ("Guðrún", "gudrun"), ("Sigríður", "sigridur"),
               ("Þórir", "thorir")),
        last=(("Jónsdóttir", "jonsdottir"), ("Ólafsson", "olafsson"), ("Þorsteinsson", "thorsteinsson")),
    ),
    NameCulture(
        first=(("Şükrü", "sukru"), ("Ayşe", "ayse"), ("Çağla", "cagla"), ("Gökhan", "gokhan")),
        last=(("Yılmaz", "yilmaz"), ("Öztürk", "ozturk"), ("Şahin", "sahin"), ("Kılıç", "kilic")),
    ),
    NameCulture(
        first=(("Анна", "anna"), ("Дмитрий", "dmitry"), ("Ольга", "olga"), ("Сергей", "sergey")),
        last=(("Соколова", "sokolova"), ("Белов", "belov"), ("Орлова", "orlova"), ("Лебедев", "lebedev")),
    ),
    NameCulture(
        first=(("伟", "wei"), ("芳", "fang"), ("静", "jing"), ("磊", "lei"), ("明", "ming")),
        last=(("李", "li"), ("王", "wang"), ("张", "zhang"), ("陈", "chen")),
        family_name_first=True,
        separator="",
    ),
    NameCulture(
        first=(("花子", "hanako"), ("健太", "kenta"), ("由美", "yumi")),
        last=(("佐藤", "sato"), ("高橋", "takahashi"), ("中村", "nakamura")),
        family_name_first=True,
    ),
    NameCulture(
        first=(("Jürgen", "juergen"), ("Björn", "bjoern"), ("Käthe", "kaethe"), ("Søren", "soeren")),
        last=(("Müller-Lüdenscheidt", "muellerluedenscheidt"), ("Großmann", "grossmann"),
              ("Østergaard", "oestergaard")),
    ),
    NameCulture(
        first=(("Γιώργος", "giorgos"), ("Ελένη", "eleni")),
        last=(("Παπαδοπούλου", "papadopoulou"), ("Αντωνίου", "antoniou")),
    ),
    NameCulture(
        first=(("ليلى", "layla"), ("عمر", "omar")),
        last=(("حداد", "haddad"), ("منصور", "mansour")),
    ),
    NameCulture(
        first=(("अनन्या", "ananya"), ("राहुल", "rahul")),
        last=(("वर्मा", "verma"), ("जोशी", "joshi")),
    ),
)

EMAIL_DOMAINS = ("example.com", "example.org")
PHONE_AREA_CODES = ("212", "312", "415", "512", "617", "720", "206", "303")
PHONE_TYPES = ("Personal", "Work", "Other")
SOCIAL_LINK_TYPES = ("LinkedIn", "GitHub", "Twitter", "Website")
TIMEZONES = ("America/New_York", "America/Los_Angeles", "Europe/Berlin", "Europe/London",
             "Asia/Ho_Chi_Minh", "Atlantic/Reykjavik", "Europe/Istanbul", "Asia/Shanghai")

DEPARTMENT_NAMES = ("Engineering", "Product", "Design", "Sales", "Marketing", "People",
                    "Finance", "Customer Success", "Legal", "Data & Analytics", "Platform",
                    "Security")

LOCATION_REGIONS = (
    # (name, country), the first locations are regions that group cities.
    ("North America", "US"),
    ("Europe", "DE"),
)
LOCATION_CITIES = (
    # (city, region, country, postal code, street); Remote has no address.
    ("New York", "NY", "US", "10001", "100 Example Avenue, Floor 12"),
    ("Berlin", "Berlin", "DE", "10115", "Beispielstraße 7"),
    ("Remote", None, None, None, None),
    ("San Francisco", "CA", "US", "94105", "500 Sample Street"),
    ("London", "England", "GB", "EC1A 1AA", "1 Placeholder Lane"),
    ("São Paulo", "SP", "BR", "01310-100", "Avenida Exemplo 1000"),
    ("Reykjavík", "Capital Region", "IS", "101", "Dæmigata 3"),
    ("Tokyo", "Tokyo", "JP", "100-0005", "1-1 Reigaichō"),
)

JOB_TITLES = ("Software Engineer", "Senior Backend Engineer", "Staff Frontend Engineer",
              "Product Manager", "Product Designer", "Data Scientist", "Account Executive",
              "Customer Success Manager", "Recruiter", "Site Reliability Engineer",
              "Engineering Manager", "Financial Analyst", "Legal Counsel",
              "Machine Learning Engineer", "Marketing Manager", "Security Engineer")
JOB_STATUSES = ("Open", "Open", "Open", "Open", "Closed", "Closed", "Draft", "Archived")
EMPLOYMENT_TYPES = ("FullTime", "FullTime", "FullTime", "FullTime", "PartTime", "Intern",
                    "Contract", "Temporary")
HIRING_TEAM_ROLES = ("Hiring Manager", "Recruiter", "Coordinator", "Sourcer")
GLOBAL_ROLES = ("Organization Admin", "Elevated Access", "Elevated Access", "Limited Access",
                "Limited Access", "Limited Access", "External Recruiter")

APPLICATION_STATUSES = ("Active", "Active", "Active", "Active", "Archived", "Archived",
                        "Archived", "Hired", "Lead")
INTERVIEW_STAGES = (
    # (title, type) in interview plan order.
    ("Lead", "Lead"),
    ("Application Review", "PreInterviewScreen"),
    ("Recruiter Screen", "Active"),
    ("Technical Interview", "Active"),
    ("Onsite", "Active"),
    ("Offer", "Offer"),
    ("Hired", "Hired"),
    ("Archived", "Archived"),
)

SOURCES = (
    # (title, source type)
    ("LinkedIn", "Job Board"), ("Referral", "Referral"), ("Company Website", "Inbound"),
    ("Indeed", "Job Board"), ("Agency: Example Talent Partners", "Agency"),
    ("Conference", "Event"), ("Sourced by Recruiter", "Sourced"), ("GitHub", "Sourced"),
    ("University Career Fair", "Event"), ("Newsletter", "Inbound"),
    ("Meetup", "Event"), ("Employee Alumni", "Referral"),
)
SOURCE_TYPES = ("Job Board", "Referral", "Inbound", "Agency", "Event", "Sourced")

ARCHIVE_REASONS = (
    ("Accepted another offer", "RejectedByCandidate"),
    ("Compensation expectations", "RejectedByCandidate"),
    ("Not interested in the role", "RejectedByCandidate"),
    ("Lacks required experience", "RejectedByOrg"),
    ("Position filled", "RejectedByOrg"),
    ("Failed technical assessment", "RejectedByOrg"),
    ("Duplicate candidate", "Other"),
    ("Unresponsive", "Other"),
)

CANDIDATE_TAGS = ("Strong referral", "Silver medalist", "Needs visa sponsorship",
                  "Open to relocation", "Boomerang", "Diversity sourcing", "Do not contact",
                  "Hot lead", "Internal transfer", "Bootcamp graduate", "Returner",
                  "Campus hire", "Contractor to hire", "Fast track", "On hold",
                  "Reached out twice", "Event: Example Summit", "Agency submitted",
                  "Portfolio review", "Relocated")

FILE_NAMES = ("resume.pdf", "cover_letter.pdf", "portfolio.pdf", "CV_final_v3.docx",
              "references.pdf", "Lebenslauf.pdf", "履歴書.pdf")

USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1234 "
    "(iPhone15,3; iOS 17.5; Scale/3.00; Locale/en_US; Network/Wi-Fi; ExampleTracker/2.4.1; "
    "SessionId/5f1d3a0e-7c2b-4a9e-9d1f-0b6c2e8a4f71; FeatureFlags/ab-test-17,ab-test-23,"
    "dark-mode,inline-apply,one-click-apply-v2,resume-autofill; Experiment/apply-flow-2024-q2; "
    "Referrer/https://jobs.example.com/demo/search?q=engineer&location=remote&utm_source=newsletter"
    "&utm_medium=email&utm_campaign=spring-hiring-2024&utm_content=cta-button-variant-b)",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.6422.53 Mobile Safari/537.36",
)

NOTE_WORDS = ("candidate", "strong", "experience", "team", "led", "migration", "platform",
              "customers", "communication", "system", "design", "trade-offs", "hiring",
              "manager", "feedback", "onsite", "scaled", "latency", "reduced", "mentored",
              "roadmap", "stakeholders", "clear", "thoughtful", "questions", "about",
              "the", "and", "with", "of", "in", "on", "to", "résumé", "naïve", "coöperation",
              "Zürich", "café", "—", "✓", "データ", "проект")
