"""Factories for the catalogue and accounts. Requests are never built by a factory: tests
file them through ``workflow.submit`` like every channel does."""

from __future__ import annotations

import factory

from frontdoor.accounts.models import User
from frontdoor.cases.sla import DEFAULT_HOURS
from frontdoor.catalogue.models import (
    BusinessCalendar,
    Category,
    City,
    Department,
    Membership,
    Question,
    QuestionValue,
    RoutingRule,
    Service,
    WorkGroup,
    Zone,
)
from frontdoor.knowledge.models import Article, CannedResponse

# A 0.1° square around the test city's centre, and two halves for zone tests.
CITY_SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-94.3, 38.9], [-94.2, 38.9], [-94.2, 39.0], [-94.3, 39.0], [-94.3, 38.9]]],
}
WEST_HALF = {
    "type": "Polygon",
    "coordinates": [[[-94.3, 38.9], [-94.25, 38.9], [-94.25, 39.0], [-94.3, 39.0], [-94.3, 38.9]]],
}
EAST_HALF = {
    "type": "Polygon",
    "coordinates": [[[-94.25, 38.9], [-94.2, 38.9], [-94.2, 39.0], [-94.25, 39.0], [-94.25, 38.9]]],
}
WEST_POINT = (38.95, -94.28)
EAST_POINT = (38.95, -94.22)
OUTSIDE_POINT = (40.0, -95.0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    password = factory.django.Password("correct horse battery")


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    hours = factory.LazyFunction(lambda: dict(DEFAULT_HOURS))


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = "Testville"
    jurisdiction_id = "testville.example"
    time_zone = "America/Chicago"
    default_language = "en"
    calendar = factory.SubFactory(CalendarFactory)
    geometry = factory.LazyFunction(lambda: dict(CITY_SQUARE))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"DEPT{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroup

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"GROUP-{n}")
    name = factory.Sequence(lambda n: f"Group {n}")
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@city.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "streets"
    name = "Streets"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"SVC{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    category = factory.SubFactory(CategoryFactory)
    default_group = factory.SubFactory(GroupFactory)
    sla_amount = 3
    sla_unit = Service.SlaUnit.DAYS
    sla_clock = Service.SlaClock.BUSINESS


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    datatype = Question.Datatype.STRING
    order = factory.Sequence(lambda n: n + 1)
    description = factory.Sequence(lambda n: f"Question {n}?")


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionValue

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"v{n}")
    name = factory.Sequence(lambda n: f"Value {n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    code = factory.Sequence(lambda n: f"ZONE-{n}")
    name = factory.Sequence(lambda n: f"Zone {n}")
    kind = Zone.Kind.CREW_AREA
    geometry = factory.LazyFunction(lambda: dict(WEST_HALF))


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    zone = factory.SubFactory(ZoneFactory)
    group = factory.SubFactory(GroupFactory)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title_en = factory.Sequence(lambda n: f"Article {n}")
    body_en = "Some useful text."
    audience = Article._meta.get_field("audience").default

    @factory.post_generation
    def services(self, create: bool, extracted: list[Service] | None, **kwargs: object) -> None:
        if create and extracted:
            self.services.set(extracted)


class CannedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedResponse

    title_en = factory.Sequence(lambda n: f"Response {n}")
    text_en = "Thank you. Your request {tracking_number} is with our {service} crew."


def staff_user(username: str, *, verified: bool = True, **fields: object) -> User:
    """A user who can sign in through allauth (e-mail verified, which sign-in and
    two-factor set-up require); password "correct horse battery"."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username=username, **fields)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": verified, "primary": True}
    )
    return user


PASSWORD = "correct horse battery"


# A fixed authenticator-app secret (base32) for tests, and the RFC 6238 code an app shows.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, at: float | None = None, period: int = 30) -> str:
    """The six-digit code an authenticator app shows for ``secret`` at ``at`` (now),
    computed here independently of allauth (RFC 4226 / 6238, SHA-1)."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wrong_totp_code(secret: str = TOTP_SECRET) -> str:
    """A six-digit code that is none of the codes accepted around now (the tolerance
    accepts the neighbouring periods), so a test of a wrong code cannot pass by luck."""
    import time

    now = time.time()
    accepted = {totp_code(secret, now + step * 30) for step in range(-3, 4)}
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)


def administrator(username: str = "boss", **fields: object) -> User:
    """A superuser with an authenticator app (``TOTP_SECRET``): administrators must have
    one before the staff workspace or the admin site lets them in."""
    from allauth.mfa.totp.internal.auth import TOTP

    user = staff_user(username, is_staff=True, is_superuser=True, **fields)
    TOTP.activate(user, TOTP_SECRET)
    return user
