"""Load the fictional demo city, Port Alder, from the JSON files in data/.

The same loader would take any city's catalogue in this format: everything that differs
between cities is in these files, not in code.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.catalogue.importers import import_zones
from frontdoor.catalogue.models import (
    BusinessCalendar,
    Category,
    City,
    Department,
    Holiday,
    Membership,
    Question,
    QuestionValue,
    RoutingRule,
    Service,
    WorkGroup,
    Zone,
)
from frontdoor.knowledge.models import Article, CannedResponse

DATA = Path(__file__).parent / "data"
LANGUAGES = ("en", "es")
DEMO_PASSWORD = "demo-311"  # noqa: S105 - published demo logins, documented in README
ADMIN_PASSWORD = "admin-311"  # noqa: S105
# The demo city's Open311 write key (published like the logins; real keys are random).
DEMO_API_KEY = "fd_portalde_demo-write-key-311-port-alder"

# (username, password, role, description) - printed by `make run` and listed in README.
LOGINS = [
    (
        "admin",
        ADMIN_PASSWORD,
        "Administrator",
        "everything, incl. /admin/; sets up an authenticator app first",
    ),
    ("agent", DEMO_PASSWORD, "Call-taker / agent", "any request; 311 Contact Center"),
    ("staff", DEMO_PASSWORD, "Department staff", "a street crew in Public Works"),
    ("supervisor", DEMO_PASSWORD, "Supervisor", "every group of Public Works"),
    ("resident", DEMO_PASSWORD, "Resident", "a resident with an account (Spanish)"),
]


def load_demo_addresses() -> int:
    """The demo city's synthetic address points into the local address index."""
    from frontdoor.geocoding.loader import load_addresses

    return load_addresses(DATA / "addresses.csv").loaded


def read_json(name: str) -> Any:
    return json.loads((DATA / name).read_text("utf-8"))


def _texts(obj: Any, field: str, value: Any, max_length: int | None = None) -> None:
    """Set field_en / field_es from {"en": ..., "es": ...} (or one string for all)."""
    values = value if isinstance(value, dict) else dict.fromkeys(LANGUAGES, value or "")
    for language in LANGUAGES:
        text = str(values.get(language) or values.get("en") or "")
        setattr(obj, f"{field}_{language}", text[:max_length] if max_length else text)
    setattr(obj, field, getattr(obj, f"{field}_en"))


@transaction.atomic
def load_catalogue(catalogue: dict[str, Any] | None = None) -> City:
    catalogue = catalogue or read_json("catalogue.json")
    spec = catalogue["city"]

    cal_spec = spec["calendar"]
    calendar, _ = BusinessCalendar.objects.update_or_create(
        name=cal_spec["name"], defaults={"hours": cal_spec["hours"]}
    )
    calendar.full_clean()
    for holiday in cal_spec.get("holidays", []):
        row = Holiday.objects.filter(calendar=calendar, date=date.fromisoformat(holiday["date"]))
        item = row.first() or Holiday(calendar=calendar, date=date.fromisoformat(holiday["date"]))
        _texts(item, "name", holiday["name"], 100)
        item.save()

    city = City.objects.order_by("pk").first() or City()
    city.name = spec["name"]
    city.jurisdiction_id = spec.get("jurisdiction_id", "")
    city.time_zone = spec["time_zone"]
    city.default_language = spec.get("default_language", "en")
    city.calendar = calendar
    city.save()

    groups: dict[str, WorkGroup] = {}
    for dept_spec in catalogue["departments"]:
        dept = Department.objects.filter(code=dept_spec["code"]).first() or Department(
            code=dept_spec["code"]
        )
        _texts(dept, "name", dept_spec["name"], 120)
        dept.save()
        for group_spec in dept_spec["groups"]:
            group = WorkGroup.objects.filter(code=group_spec["code"]).first() or WorkGroup(
                code=group_spec["code"]
            )
            group.department = dept
            group.email = group_spec.get("email", "")
            _texts(group, "name", group_spec["name"], 120)
            group.save()
            groups[group.code] = group

    categories: dict[str, Category] = {}
    for cat_spec in catalogue["categories"]:
        cat = Category.objects.filter(code=cat_spec["code"]).first() or Category(
            code=cat_spec["code"]
        )
        cat.order = cat_spec.get("order", 0)
        _texts(cat, "name", cat_spec["name"], 120)
        cat.save()
        categories[cat.code] = cat

    for order, svc_spec in enumerate(catalogue["services"], start=1):
        service = Service.objects.filter(code=svc_spec["code"]).first() or Service(
            code=svc_spec["code"]
        )
        service.category = categories[svc_spec["category"]]
        service.default_group = groups[svc_spec["group"]]
        _texts(service, "name", svc_spec["name"], 120)
        _texts(service, "description", svc_spec.get("description", ""))
        _texts(service, "keywords", svc_spec.get("keywords", ""), 500)
        sla = svc_spec.get("sla") or {}
        service.sla_amount = sla.get("amount")
        service.sla_unit = sla.get("unit", Service.SlaUnit.DAYS)
        service.sla_clock = sla.get("clock", Service.SlaClock.BUSINESS)
        service.idle_reminder_days = svc_spec.get("idle_reminder_days")
        service.priority = svc_spec.get("priority", "normal")
        service.audience = svc_spec.get("audience", "public")
        service.private = bool(svc_spec.get("private", False))
        service.response_type = "batch" if svc_spec.get("batch") else "realtime"
        service.location_required = bool(svc_spec.get("location_required", True))
        _texts(service, "public_notice", svc_spec.get("public_notice", ""))
        service.info_only = bool(svc_spec.get("info_only", False))
        service.info_link = svc_spec.get("info_link", "")
        service.order = order
        service.full_clean()
        service.save()
        for q_spec in svc_spec.get("questions", []):
            question = Question.objects.filter(service=service, code=q_spec["code"]).first()
            question = question or Question(service=service, code=q_spec["code"])
            question.datatype = q_spec["datatype"]
            question.required = bool(q_spec.get("required", False))
            question.variable = bool(q_spec.get("variable", True))
            question.order = q_spec["order"]
            _texts(question, "description", q_spec["description"])
            _texts(question, "help_text", q_spec.get("help") or "", 300)
            question.full_clean(validate_unique=False)
            question.save()
            for v_order, v_spec in enumerate(q_spec.get("values") or [], start=1):
                value = QuestionValue.objects.filter(question=question, key=v_spec["key"]).first()
                value = value or QuestionValue(question=question, key=v_spec["key"])
                value.order = v_order
                _texts(value, "name", v_spec["name"], 200)
                value.save()

    import_zones(read_json("zones.geojson"))
    city.refresh_from_db()
    city.triage_group = groups[catalogue["triage_group"]]
    city.general_service = Service.objects.get(code=catalogue["general_service"])
    city.save()

    for rule_spec in catalogue.get("routing", []):
        RoutingRule.objects.get_or_create(
            service=Service.objects.get(code=rule_spec["service"]),
            zone=Zone.objects.get(code=rule_spec["zone"]),
            defaults={"group": groups[rule_spec["group"]]},
        )
    return city


_HASHES: dict[str, str] = {}


def _user(username: str, password: str, **fields: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        # Hash each published demo password once: ~80 accounts share it, and a fresh
        # PBKDF2 hash per account would make loading the demo take half a minute.
        if password not in _HASHES:
            _HASHES[password] = make_password(password)
        user.password = _HASHES[password]
        user.save()
        # A verified address, so the account signs in through allauth at once (and
        # may set up two-factor sign-in, which allauth allows only on verified ones).
        if user.email:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


STAFF_NAMES = [
    ("Maria", "Lopez"),
    ("James", "Carter"),
    ("Aisha", "Bello"),
    ("Tom", "Nguyen"),
    ("Grace", "Kim"),
    ("Luis", "Ortega"),
    ("Priya", "Shah"),
    ("Daniel", "Brooks"),
    ("Elena", "Ruiz"),
    ("Marcus", "Reed"),
    ("Hannah", "Cole"),
    ("Omar", "Haddad"),
]


@transaction.atomic
def create_people(catalogue: dict[str, Any] | None = None) -> dict[str, User]:
    """The demo logins plus two crew members per group and a supervisor per department."""
    catalogue = catalogue or read_json("catalogue.json")
    people = {
        "admin": _user(
            "admin",
            ADMIN_PASSWORD,
            email="admin@portalder.example",
            first_name="Alex",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
        ),
        "agent": _user(
            "agent",
            DEMO_PASSWORD,
            email="agent@portalder.example",
            first_name="Carmen",
            last_name="Diaz",
            is_staff=True,
            is_agent=True,
        ),
        "staff": _user(
            "staff",
            DEMO_PASSWORD,
            email="staff@portalder.example",
            first_name="Sam",
            last_name="Patel",
            is_staff=True,
        ),
        "supervisor": _user(
            "supervisor",
            DEMO_PASSWORD,
            email="supervisor@portalder.example",
            first_name="Dana",
            last_name="Whitfield",
            is_staff=True,
        ),
        "resident": _user(
            "resident",
            DEMO_PASSWORD,
            email="resident@example.org",
            first_name="Rosa",
            last_name="Martinez",
            language="es",
        ),
    }
    triage = WorkGroup.objects.get(code=catalogue["triage_group"])
    Membership.objects.get_or_create(group=triage, user=people["agent"])
    routed_groups = [r["group"] for r in catalogue.get("routing", [])]
    streets = WorkGroup.objects.get(code=routed_groups[0]) if routed_groups else None
    streets = streets or WorkGroup.objects.exclude(pk=triage.pk).first()
    Membership.objects.get_or_create(group=streets, user=people["staff"])
    streets.department.supervisors.add(people["supervisor"])

    index = 0
    for dept in Department.objects.prefetch_related("groups"):
        first, last = STAFF_NAMES[index % len(STAFF_NAMES)]
        supervisor = _user(
            f"{dept.code.lower()}-supervisor",
            DEMO_PASSWORD,
            email=f"{dept.code.lower()}-supervisor@portalder.example",
            first_name=first,
            last_name=last,
            is_staff=True,
        )
        dept.supervisors.add(supervisor)
        index += 1
        for group in dept.groups.all():
            for n in (1, 2):
                first, last = STAFF_NAMES[index % len(STAFF_NAMES)]
                index += 1
                member = _user(
                    f"{group.code.lower()}-{n}",
                    DEMO_PASSWORD,
                    email=f"{group.code.lower()}-{n}@portalder.example",
                    first_name=first,
                    last_name=last,
                    is_staff=True,
                )
                Membership.objects.get_or_create(group=group, user=member)
    return people


def create_demo_client() -> None:
    """A demo client application with a write key, so the API can be tried at once."""
    from frontdoor.open311.models import ApiKey, ClientApp, key_prefix

    client, _created = ClientApp.objects.get_or_create(
        name="Port Alder demo app", defaults={"contact": "311@portalder.example"}
    )
    if not ApiKey.objects.filter(prefix=key_prefix(DEMO_API_KEY)).exists():
        ApiKey.issue(client, key=DEMO_API_KEY, scope=ApiKey.Scope.PARTNER, rate_limit=600)


def _bilingual(obj: Any, field: str, value: dict[str, str], max_length: int) -> None:
    """Set field_en / field_es; unlike catalogue texts a missing Spanish text stays empty,
    so the pages say that the English one is shown."""
    for language in LANGUAGES:
        setattr(obj, f"{field}_{language}", (value.get(language) or "")[:max_length])


@transaction.atomic
def load_knowledge(data: dict[str, Any] | None = None) -> tuple[int, int]:
    """The demo knowledge base and canned responses. An article already past its review
    date counts as told to its owner (as if the sweep had run back then), so a new demo
    city's first sweep e-mails nobody about old history."""
    data = data or read_json("knowledge.json")
    now = timezone.now()
    for spec in data["articles"]:
        article = Article.objects.filter(title_en=spec["title"]["en"]).first() or Article()
        _bilingual(article, "title", spec["title"], 200)
        _bilingual(article, "body", spec["body"], 20_000)
        article.audience = spec["audience"]
        article.owner = User.objects.filter(username=spec.get("owner", "")).first()
        article.last_reviewed_at = now - timedelta(days=spec["reviewed_days_ago"])
        article.review_interval_days = spec["review_interval_days"]
        article.full_clean(exclude=["review_due_at"])
        article.save()
        if article.is_stale(now):
            Article.objects.filter(pk=article.pk).update(stale_notified_at=article.review_due_at)
        article.services.set(Service.objects.filter(code__in=spec["services"]))
    for spec in data["canned_responses"]:
        service = Service.objects.get(code=spec["service"]) if spec["service"] else None
        response = CannedResponse.objects.filter(
            service=service, title_en=spec["title"]["en"]
        ).first() or CannedResponse(service=service)
        _bilingual(response, "title", spec["title"], 120)
        _bilingual(response, "text", spec["text"], 5_000)
        response.order = spec.get("order", 0)
        response.full_clean()
        response.save()
    return len(data["articles"]), len(data["canned_responses"])
