"""The compliance officer's first day in a real browser, through the UI only: an AI system
recorded with its supplier named on the system's form, then from the system's page two risks
with controls picked by search, evidence with a file, and an impact assessment. The test counts
the user's clicks (at most 40), key presses and page loads."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from aims.impact.models import ImpactAssessment
from aims.inventory.models import AISystem, ThirdParty
from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, Evidence, SoAEntry
from risks.models import Risk
from tests.factories import active_criteria

pytestmark = pytest.mark.browser

MAX_CLICKS = 40
SYSTEM = "Claims triage model"
PURPOSE = "Sorts incoming motor claims by urgency for review."
SUPPLIER = "Acme Models GmbH"
BIAS = "A.5.4 Assessing AI system impact on individuals or groups of individuals"
MONITORING = "A.6.2.6 AI system operation and monitoring"
VALIDATION = "A.6.2.4 AI system verification and validation"
# Each risk: title, category, and the controls to pick as (letters typed, option chosen).
RISKS = (
    (
        "Age bias in claim priority",
        "Bias and fairness",
        (("A.5.4", BIAS), ("A.6.2", VALIDATION)),
    ),
    ("Model drift after release", "Model drift", (("monitor", MONITORING),)),
)


class User:
    """The user's hand on the page: every click, check and option chosen counts one click;
    every key pressed (typed letters included) counts one key press."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.keys = 0
        self.loads = 0
        page.on("framenavigated", self.loaded)

    def loaded(self, frame):
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def check(self, locator):
        self.clicks += 1
        locator.check()

    def choose(self, locator, label):
        self.clicks += 1
        locator.select_option(label=label)

    def type(self, locator, text):
        self.keys += len(text)
        locator.fill(text)

    def press(self, locator, key):
        self.keys += 1
        locator.press(key)

    def go(self, menu, entry):
        """An entry of the main navigation's menu."""
        self.click(self.page.get_by_role("button", name=menu))
        self.click(self.page.get_by_role("link", name=entry, exact=True))

    def section(self, heading):
        """A related section of the page."""
        return self.page.locator(
            "section", has=self.page.get_by_role("heading", name=heading, exact=True)
        )

    def add_from_section(self, heading):
        """The "Add" button of a related section of the page."""
        section = self.section(heading)
        self.click(section.get_by_role("link", name="Add", exact=True))

    def upload(self, label, path):
        """A file chosen with the file input: one click opens the chooser, one picks the file."""
        with self.page.expect_file_chooser() as chooser:
            self.click(self.page.get_by_label(label))
        self.clicks += 1
        chooser.value.set_files(path)

    def pick(self, field, choices):
        """Options of a picker, each found by a few letters typed and chosen with the keyboard
        (arrow keys and Enter); one click opens the picker."""
        picker = self.page.locator(f"#{field}-ts-control")
        dropdown = self.page.locator(f"#{field}-ts-dropdown")
        self.click(picker)
        for letters, option in choices:
            self.keys += len(letters)
            # The options of what was typed, not of the page loaded when the picker opened.
            searched = urlencode({"q": letters})
            with self.page.expect_response(
                lambda response, searched=searched: searched in response.url
            ):
                picker.press_sequentially(letters)
            expect(dropdown.get_by_role("option", name=option)).to_be_visible()
            for _ in range(20):
                if dropdown.locator(".option.active").text_content() == option:
                    break
                self.press(picker, "ArrowDown")
            expect(dropdown.locator(".option.active")).to_have_text(option)
            self.press(picker, "Enter")
            chosen = self.page.locator(".ts-control", has=picker).locator(".item", has_text=option)
            expect(chosen).to_be_visible()
        self.press(picker, "Escape")

    def save(self):
        self.click(self.page.get_by_role("button", name="Save"))


def test_the_compliance_officers_first_day_takes_at_most_40_clicks(
    page, log_in, live_server, compliance_officer, tmp_path
):
    load_catalogues(ControlObjective, Control, SoAEntry)  # live-server tests flush the database
    active_criteria()
    log_in(compliance_officer)
    user = User(page)

    # 1. The AI system, its supplier named on its form.
    user.go("Inventory", "AI systems")
    user.click(page.get_by_role("link", name="Add AI system"))
    user.type(page.get_by_role("textbox", name="Name", exact=True), SYSTEM)
    user.type(page.get_by_label("Purpose and intended use"), PURPOSE)
    user.choose(page.get_by_label("Life-cycle stage"), "Operation and monitoring")
    user.type(page.get_by_label("New supplier"), SUPPLIER)
    user.save()
    expect(page.get_by_role("heading", name=re.compile(SYSTEM))).to_be_visible()
    system = AISystem.objects.get()
    system_page = f"{live_server.url}{system.get_absolute_url()}"
    expect(page).to_have_url(system_page)

    # 2. Two risks from the system's page, each with controls picked by search.
    for title, category, controls in RISKS:
        user.add_from_section("Risks")
        expect(page.get_by_role("heading", name="Add risk")).to_be_visible()
        expect(page.get_by_label(f"AIS-001 {SYSTEM}")).to_be_checked()
        user.type(page.get_by_label("Title"), title)
        user.choose(page.get_by_label("Category"), category)
        user.pick("id_controls", controls)
        user.save()
        expect(page).to_have_url(system_page)  # back where the user started
        expect(user.section("Risks")).to_contain_text(title)

    # 3. Evidence with a file, from the system's page.
    report = tmp_path / "bias-test-report.txt"
    report.write_text("Age bias test on 2,000 claims: no significant difference.\n")
    user.add_from_section("Evidence")
    expect(page.get_by_role("heading", name="Add evidence")).to_be_visible()
    user.type(page.get_by_label("Title"), "Age bias test report")
    user.upload("File", report)
    user.save()
    expect(page).to_have_url(system_page)
    expect(user.section("Evidence")).to_contain_text("Age bias test report")

    # 4. The impact assessment, from the system's page.
    user.add_from_section("Impact assessments")
    expect(page.get_by_role("heading", name="Add impact assessment")).to_be_visible()
    expect(page.get_by_label("AI system")).to_have_value(str(system.pk))
    user.type(
        page.get_by_label("Affected individuals and groups"), "Policy holders who file claims."
    )
    user.save()
    expect(page).to_have_url(system_page)
    expect(user.section("Impact assessments")).to_contain_text("IA-001")

    print(
        f"\nFirst-day journey: {user.clicks} clicks, {user.keys} key presses, "
        f"{user.loads} page loads"
    )
    supplier = ThirdParty.objects.get()
    assert (supplier.name, supplier.relationship) == (SUPPLIER, ThirdParty.Relationship.SUPPLIER)
    assert list(supplier.systems.all()) == [system]
    assert sorted(
        (risk.title, sorted(risk.controls.values_list("code", flat=True)))
        for risk in Risk.objects.filter(ai_systems=system)
    ) == [
        ("Age bias in claim priority", ["A.5.4", "A.6.2.4"]),
        ("Model drift after release", ["A.6.2.6"]),
    ]
    evidence = Evidence.objects.get()
    assert list(evidence.ai_systems.all()) == [system]
    assert evidence.revisions.count() == 1
    assert ImpactAssessment.objects.get().system == system
    assert user.clicks <= MAX_CLICKS
