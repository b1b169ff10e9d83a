from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from frontdoor.cases import workflow
from frontdoor.cases.models import ServiceRequest
from frontdoor.catalogue.models import Question, Service
from tests import factories as f


@pytest.fixture(autouse=True)
def _media_root(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """A request with Accept-Language leaves its language active in the thread (the
    test client does not reset it); every test starts in the default language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _clear_caches() -> Iterator[None]:
    """Per-process caches outlive a test's rolled-back transaction; start each test clean."""
    from frontdoor.catalogue import cache, geo
    from frontdoor.open311 import auth, fragments
    from frontdoor.portal.models import forget_notices

    geo._PREPARED.clear()
    cache.clear()
    fragments.clear()
    auth.forget_keys()
    forget_notices()
    yield
    geo._PREPARED.clear()
    cache.clear()
    fragments.clear()
    auth.forget_keys()
    forget_notices()


@pytest.fixture
def city(db):  # type: ignore[no-untyped-def]
    return f.CityFactory()


@pytest.fixture
def group(city):  # type: ignore[no-untyped-def]
    return f.GroupFactory(code="STREETS", name="Streets crew")


@pytest.fixture
def pothole(group) -> Service:  # type: ignore[no-untyped-def]
    """A service with one question of every datatype plus an informational notice."""
    service = f.ServiceFactory(code="POTHOLE", name="Pothole", default_group=group, sla_amount=3)
    f.QuestionFactory(
        service=service,
        code="notice",
        order=1,
        variable=False,
        description="If a car was damaged call 911.",
    )
    size = f.QuestionFactory(
        service=service,
        code="size",
        order=2,
        required=True,
        datatype=Question.Datatype.SINGLE,
        description="How big is it?",
    )
    for key in ("small", "medium", "large"):
        f.ValueFactory(question=size, key=key, name=key.title())
    f.QuestionFactory(
        service=service,
        code="depth_cm",
        order=3,
        datatype=Question.Datatype.NUMBER,
        description="How deep (cm)?",
    )
    f.QuestionFactory(
        service=service,
        code="seen_at",
        order=4,
        datatype=Question.Datatype.DATETIME,
        description="When did you see it?",
    )
    f.QuestionFactory(
        service=service,
        code="landmark",
        order=5,
        datatype=Question.Datatype.STRING,
        description="Nearest landmark?",
    )
    f.QuestionFactory(
        service=service,
        code="details",
        order=6,
        datatype=Question.Datatype.TEXT,
        description="Anything else?",
    )
    lanes = f.QuestionFactory(
        service=service,
        code="lanes",
        order=7,
        datatype=Question.Datatype.MULTI,
        description="Which lanes?",
    )
    for key in ("left", "right", "bike"):
        f.ValueFactory(question=lanes, key=key, name=key.title())
    return service


@pytest.fixture
def resident(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(
        username="rosa", email="rosa@example.org", first_name="Rosa", language="es"
    )


@pytest.fixture
def staff(group):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="sam", email="sam@city.example", first_name="Sam")
    f.MembershipFactory(group=group, user=user)
    return user


def submit_pothole(pothole: Service, **overrides: object) -> ServiceRequest:
    """File a valid pothole report through the workflow; overrides change any argument."""
    arguments: dict[str, object] = {
        "service": pothole,
        "actor": workflow.Actor.resident(),
        "channel": "web",
        "description": "Deep hole by the school crossing",
        "answers": {"size": "large"},
        "lat": f.WEST_POINT[0],
        "long": f.WEST_POINT[1],
        "contact": workflow.Contact(name="Ana Pérez", email="ana@example.org"),
    }
    arguments.update(overrides)
    return workflow.submit(**arguments)  # type: ignore[arg-type]


@pytest.fixture
def filed(pothole) -> ServiceRequest:  # type: ignore[no-untyped-def]
    return submit_pothole(pothole)


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in engine:
            item.add_marker(skip)


class SMTPInbox:
    """An SMTP server's handler that refuses the first ``failures`` messages, then keeps
    every message it accepts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.refused = 0
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.refused < self.failures:
            self.refused += 1
            return "451 4.3.0 Mail server busy, try again later"
        self.messages.append(envelope.content)
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SMTPInbox, int]]:
    """A real SMTP server on a free loopback port: (inbox, port)."""
    import socket

    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
