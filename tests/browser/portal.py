"""Helpers for the portal's browser tests: the data a resident meets, axe-core, keyboard
navigation and screenshots for reviewers (written to test-artifacts/, which git ignores)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from frontdoor.catalogue.models import City
from frontdoor.geocoding.models import AddressPoint
from frontdoor.geocoding.normalise import normalise
from tests import factories as f
from tests.browser.conftest import ARTIFACTS, PHONE

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MAIN_STREET = (38.9500, -94.2800)  # inside the test city, in its west half


def portal_city(pothole: Any) -> None:
    """The pothole service in both languages, a general service and two addresses."""
    pothole.name_es = "Bache"
    pothole.keywords_en = "hole in road"
    pothole.keywords_es = "hoyo en la calle"
    pothole.description_en = "A hole in a city street."
    pothole.description_es = "Un hoyo en una calle de la ciudad."
    pothole.save()
    questions = {q.code: q for q in pothole.questions.all()}
    questions["size"].description_es = "¿Qué tamaño tiene?"
    questions["size"].save()
    for value, name in zip(
        questions["size"].values.all(), ("Pequeño", "Mediano", "Grande"), strict=True
    ):
        value.name_es = name
        value.save()
    general = f.ServiceFactory(
        code="GENERAL",
        name="Something else",
        category=f.CategoryFactory(code="general", name="Other", order=9),
        default_group=pothole.default_group,
        location_required=False,
    )
    City.objects.update(general_service=general)
    for number, lat, lon in ((204, MAIN_STREET[0], MAIN_STREET[1]), (208, 38.9500, -94.2790)):
        AddressPoint.objects.create(
            label=f"{number} Main Street",
            normalised=normalise(f"{number} Main Street"),
            street_normalised=normalise("Main Street"),
            house_number=number,
            postal_code="64170",
            source_id=f"PA-{number}",
            lat=lat,
            lon=lon,
        )


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Any, name: str) -> None:
    """The page at phone and desktop width, for a reviewer to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def tab_to(page: Any, selector: str, *, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user
    would; fails if it is never reached."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focus_is_visible(page: Any) -> bool:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); "
        "return [s.outlineStyle, s.outlineWidth]; }"
    )
    return style[0] != "none" and style[1] != "0px"


def tracking_number(page: Any) -> str:
    text = page.locator(".tracking-number").inner_text()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{2}", text), text
    return text.replace("-", "")
