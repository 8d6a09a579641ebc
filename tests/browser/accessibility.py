"""axe-core over the pages the browser journeys visit: WCAG 2.1 A and AA, in English and German,
light and dark.

Each distinct page (its URL name, for one user's roles) is checked once a session: after the
test that first visited it, in a context of its own signed in as the same user, so the checks
neither disturb the journey nor depend on what it had open at the end."""

from pathlib import Path
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("en", "de")
MODES = ("light", "dark")

RUN_AXE = """async tags => {
  const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


SET_MODE = """async mode => {
  document.documentElement.setAttribute("data-bs-theme", mode);
  await Promise.all(document.getAnimations().map(animation => animation.finished));
}"""


def page_key(url, user):
    """The page's URL name and the user's roles: one check covers every object of that page."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    roles = tuple(sorted(user.groups.values_list("name", flat=True))) if user else ()
    return (match.view_name, roles, user is None)


def violations_on(page):
    """Violations on the page as it is now, in both colour modes."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # A function's body is compiled by the browser's debugger, which the page's
        # Content-Security-Policy does not govern (a <script> element would be refused).
        page.evaluate("() => {" + AXE + "\n}")
    found = []
    for mode in MODES:
        # Without motion Bootstrap draws no colour transitions, which axe would catch halfway.
        page.emulate_media(color_scheme=mode, reduced_motion="reduce")
        page.evaluate(SET_MODE, mode)
        found += [dict(v, mode=mode) for v in page.evaluate(RUN_AXE, TAGS)]
    return found


def signed_in_context(browser, live_server, user, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


def check_pages(browser, live_server, visits, checked):
    """Check the visited pages not checked before; returns readable lines, one per violation."""
    pending = {}
    for url, user in visits:
        key = page_key(url, user)
        if key is not None and key not in checked and key not in pending:
            pending[key] = (url, user)
    report = []
    for key, (url, user) in pending.items():
        checked.add(key)
        for language in LANGUAGES:
            context = signed_in_context(browser, live_server, user, language)
            try:
                page = context.new_page()
                response = page.goto(url)
                if (
                    response is None
                    or response.status != 200
                    or "html" not in (response.headers.get("content-type", ""))
                ):
                    break
                for v in violations_on(page):
                    report.append(
                        f"{url} [{language}, {v['mode']}] {v['rule']} ({v['impact']}): {v['help']}"
                        f" — {', '.join(v['targets'])} — {v['url']}"
                    )
            finally:
                context.close()
    return report
