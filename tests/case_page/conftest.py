"""The case page tests' organisation: personas of two departments."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def org(city, group, staff):  # type: ignore[no-untyped-def]
    """Streets (the pothole's group, department A) and Parks (department B), with a
    colleague in Streets, a Parks member, an agent, a supervisor of department A, a
    resident."""
    parks = f.GroupFactory(code="PARKS", name="Parks crew")
    colleague = f.UserFactory(username="lee", first_name="Lee", last_name="Wong")
    f.MembershipFactory(group=group, user=colleague)
    outsider = f.UserFactory(username="pat", first_name="Pat")
    f.MembershipFactory(group=parks, user=outsider)
    boss = f.UserFactory(username="boss", first_name="Bo")
    group.department.supervisors.add(boss)
    return {
        "streets": group,
        "parks": parks,
        "staff": staff,
        "colleague": colleague,
        "outsider": outsider,
        "agent": f.UserFactory(username="carmen", first_name="Carmen", is_agent=True),
        "supervisor": boss,
        "resident": f.UserFactory(username="rosa", first_name="Rosa"),
    }
