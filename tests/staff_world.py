"""A small city for the staff queue tests: two departments, their groups and people, a
triage group, and a helper that files requests through the workflow like any channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdoor.accounts.models import User
from frontdoor.cases import workflow
from frontdoor.cases.models import ServiceRequest
from frontdoor.catalogue.models import City, Department, Service, WorkGroup
from tests import factories as f


@dataclass
class World:
    city: City
    streets: Department  # department A
    parks: Department  # department B
    crew1: WorkGroup  # streets
    crew2: WorkGroup  # streets
    mowers: WorkGroup  # parks
    triage: WorkGroup
    pothole: Service  # -> crew1
    graffiti: Service  # -> crew2
    grass: Service  # -> mowers
    general: Service  # -> triage, the city's general service
    sam: User  # crew1
    kim: User  # crew1
    lee: User  # crew2
    pat: User  # mowers
    boss: User  # supervisor of streets
    agent: User
    admin: User
    resident: User

    def file(self, service: Service | None = None, **overrides: Any) -> ServiceRequest:
        """A request filed through ``workflow.submit`` (a pothole by default)."""
        arguments: dict[str, Any] = {
            "service": service or self.pothole,
            "actor": workflow.Actor.resident(),
            "channel": "web",
            "description": "Deep hole by the school crossing",
            "lat": f.WEST_POINT[0],
            "long": f.WEST_POINT[1],
            "address": "12 Elm Street",
            "contact": workflow.Contact(name="Ana Pérez", email="ana@example.org"),
        }
        arguments.update(overrides)
        return workflow.submit(**arguments)

    def file_many(self, count: int, service: Service | None = None, **overrides: Any) -> list:
        return [self.file(service, **overrides) for _ in range(count)]


def build_world(city: City, *, requested_at: datetime | None = None) -> World:
    contact_centre = f.DepartmentFactory(code="CC", name="Contact centre")
    streets = f.DepartmentFactory(code="STR", name="Streets")
    parks = f.DepartmentFactory(code="PRK", name="Parks")
    crew1 = f.GroupFactory(department=streets, code="CREW1", name="Crew 1")
    crew2 = f.GroupFactory(department=streets, code="CREW2", name="Crew 2")
    mowers = f.GroupFactory(department=parks, code="MOW", name="Mowers")
    triage = f.GroupFactory(department=contact_centre, code="TRIAGE", name="Triage")
    pothole = f.ServiceFactory(code="POTHOLE", name="Pothole", default_group=crew1)
    graffiti = f.ServiceFactory(code="GRAFFITI", name="Graffiti", default_group=crew2)
    grass = f.ServiceFactory(code="GRASS", name="Tall grass", default_group=mowers)
    general = f.ServiceFactory(
        code="OTHER", name="Something else", default_group=triage, location_required=False
    )
    city.triage_group, city.general_service = triage, general
    city.save()

    def member(username: str, group: WorkGroup, first: str) -> User:
        user = f.UserFactory(username=username, first_name=first)
        f.MembershipFactory(user=user, group=group)
        return user

    boss = f.UserFactory(username="boss", first_name="Bo")
    streets.supervisors.add(boss)
    return World(
        city=city,
        streets=streets,
        parks=parks,
        crew1=crew1,
        crew2=crew2,
        mowers=mowers,
        triage=triage,
        pothole=pothole,
        graffiti=graffiti,
        grass=grass,
        general=general,
        sam=member("sam", crew1, "Sam"),
        kim=member("kim", crew1, "Kim"),
        lee=member("lee", crew2, "Lee"),
        pat=member("pat", mowers, "Pat"),
        boss=boss,
        agent=f.UserFactory(username="agent", first_name="Carmen", is_agent=True),
        admin=f.administrator("admin", first_name="Alex"),
        resident=f.UserFactory(username="rosa", first_name="Rosa"),
    )


def staff_actor(user: User) -> workflow.Actor:
    return workflow.Actor.staff(user)
