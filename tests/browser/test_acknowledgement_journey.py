"""Browser journey: the compliance officer asks for the AI policy to be acknowledged, the system
owner finds the request on the dashboard and acknowledges it, and the policy page counts it."""

import os
from datetime import date

import pytest

from aims.communication.models import PolicyAcknowledgement
from aims.context.models import AIPolicy
from aims.context.services import ai_policy_approve

pytestmark = pytest.mark.browser


def test_a_user_acknowledges_the_policy_they_were_asked_to_read(
    page, live_server, log_in, compliance_officer, ai_officer, system_owner
):
    policy = AIPolicy(title="AI policy", content="Text", next_review=date(2030, 6, 30))
    policy._history_user = compliance_officer
    policy.save()
    ai_policy_approve(policy=policy, user=ai_officer)

    log_in(compliance_officer)
    page.goto(f"{live_server.url}{policy.get_absolute_url()}")
    page.get_by_label("Ask all users with a role").check()
    page.get_by_role("button", name="Ask").click()
    page.get_by_text("The request was sent.").wait_for()
    page.get_by_text("0 of 3 asked users have acknowledged this version.").wait_for()
    if folder := os.environ.get("AIMS_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/acknowledgements.png", full_page=True)
    page.context.clear_cookies()

    log_in(system_owner)
    page.get_by_role("link", name="Please read and acknowledge the AI policy").click()
    page.get_by_role("button", name="I have read and understood this policy").click()
    page.get_by_text("Thank you: your acknowledgement is recorded.").wait_for()
    assert PolicyAcknowledgement.objects.filter(policy=policy, user=system_owner).exists()
