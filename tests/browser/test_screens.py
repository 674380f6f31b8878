"""Every role's main pages in Chromium, on an office screen and on a phone: axe-core (WCAG 2.1 AA) finds
nothing serious or critical, the phone never scrolls sideways, the console stays clean and nothing is
requested from another host. axe-core is the npm package vendored under tests/browser/vendor/.

Set ELEARN_SCREENSHOTS=<folder> to keep a full-page screenshot of every page walked."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import browser_sign_in

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844},
             "tablet": {"width": 720, "height": 1024}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Table boxes wider than their room that a keyboard cannot reach (static/js/tables.js should mark them).
UNREACHABLE_SCROLLERS = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(box => box.scrollWidth > box.clientWidth + 1 && box.getAttribute('tabindex') !== '0')
  .map(box => (box.getAttribute('aria-label') || box.textContent).trim().slice(0, 30))"""
# Buttons, toggles and form controls that another element covers at their middle (a tap would miss them).
COVERED_CONTROLS = """() => {
  const covered = [];
  for (const control of document.querySelectorAll('button, summary, select, input:not([type=hidden]), .button')) {
    // not shown: hidden, inside a closed <details>, or visually hidden
    const box = control.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || !control.checkVisibility({visibilityProperty: true})) continue;
    control.scrollIntoView({block: 'center', inline: 'center'});
    const middle = control.getBoundingClientRect();
    const hit = document.elementFromPoint(middle.left + middle.width / 2, middle.top + middle.height / 2);
    if (hit && !control.contains(hit) && !hit.contains(control) && hit.closest('label') === null) {
      covered.push((control.textContent || control.name || control.tagName).trim().slice(0, 30));
    }
  }
  window.scrollTo(0, 0);
  return covered.slice(0, 5);
}"""


@dataclass
class Walk:
    """What went wrong on the pages one person walked, collected so one test reports every page."""

    base_url: str
    viewport: str
    locale: str
    problems: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    pages: int = 0

    def check(self, page, path: str) -> None:
        self.console.clear()
        response = page.goto(f"{self.base_url}{path}")
        page.wait_for_load_state("load")
        where = f"{self.viewport} {path}"
        if response is None or response.status != 200:
            self.problems.append(f"{where}: HTTP {response.status if response else 'none'}")
            return
        self.pages += 1
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        for violation in results["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                self.problems.append(f"{where}: axe {violation['impact']} {violation['id']} at {targets}")
        covered = page.evaluate(COVERED_CONTROLS)
        if covered:
            self.problems.append(f"{where}: a tap at the middle of these lands on something else: {covered}")
        unreachable = page.evaluate(UNREACHABLE_SCROLLERS)
        if unreachable:
            self.problems.append(f"{where}: table boxes scroll sideways but take no keyboard focus: {unreachable}")
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            self.problems.append(f"{where}: the page scrolls sideways by {sideways}px")
        self.problems.extend(f"{where}: console: {message}" for message in self.console)
        if folder := os.environ.get("ELEARN_SCREENSHOTS"):
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            page.screenshot(path=str(Path(folder) / f"{self.locale}-{self.viewport}-{name}.png"), full_page=True)

    def first_link(self, page, path: str, pattern: str) -> str:
        """The first link on `path` whose address matches `pattern` (ids differ between demo runs)."""
        page.goto(f"{self.base_url}{path}")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        found = next((href for href in hrefs if re.search(pattern, href)), None)
        assert found, f"no link matching {pattern} on {path}"
        return found


def _account(live_server, permission: str, body: str = "P000") -> dict:
    return next(a for a in live_server["accounts"] if a["permission"] == permission and a["body"] == body)


VIDEO_LESSON = "/courses/security-basics/06-spotting-suspicious-mail"
SCORM_LESSON = "/courses/security-self-check/01-self-check"
WORKSHOP = "/courses/bpr-rpa/workshop"


def _learner_pages(walk: Walk, page) -> list[str]:
    course = walk.first_link(page, "/", r"^/courses/[^/]+/$")
    lesson = walk.first_link(page, course, r"^/courses/[^/]+/[^/]+$")
    issue = walk.first_link(page, "/magazine/", r"^/magazine/\d+/$")
    event = walk.first_link(page, "/events/", r"^/events/\d+$")
    return ["/", course, lesson, VIDEO_LESSON, SCORM_LESSON, "/certificates/", "/magazine/", issue,
            f"{issue}?mode=scroll", "/magazine/inbox/mine", "/magazine/inbox/new", "/account/password", "/events/",
            event, "/notices/", "/notices/settings", "/glossary", WORKSHOP]


def _manager_pages(walk: Walk, page) -> list[str]:
    member = walk.first_link(page, "/team/", r"^/team/staff/\d+$")
    review = walk.first_link(page, "/reviews/", r"^/reviews/\d+$")
    return ["/team/", "/team/?view=detail", "/team/?status=overdue", member, "/notices/", "/reviews/",
            "/reviews/?show=all", review]


def _reporter_pages(walk: Walk, page) -> list[str]:
    return ["/kpi/"]


def _admin_pages(walk: Walk, page) -> list[str]:
    member = walk.first_link(page, "/admin/staff", r"^/admin/staff/\d+$")
    certificate = walk.first_link(page, "/admin/certificates/", r"^/admin/certificates/\d+$")
    issuer = walk.first_link(page, "/admin/issuers/", r"^/admin/issuers/[^/]+$")
    course = walk.first_link(page, "/", r"^/courses/[^/]+/$")
    return ["/admin/", "/admin/staff", member, "/admin/certificates/", certificate, "/admin/issuers/", issuer,
            "/admin/deadlines", "/admin/kpi", "/admin/audit", "/admin/import/staff", "/admin/import/orgs",
            "/admin/import/history", "/admin/history-imports/",
            "/quiz/stats/" + course.split("/")[2], "/admin/mail",
            walk.first_link(page, "/admin/mail", r"^/admin/mail/\d+$"), "/admin/jobs"]


def _author_pages(walk: Walk, page) -> list[str]:
    issue = walk.first_link(page, "/magazine/studio/", r"^/magazine/studio/\d+$")
    item = walk.first_link(page, "/magazine/studio/inbox/", r"^/magazine/studio/inbox/\d+$")
    return ["/magazine/studio/", issue, "/magazine/studio/new", "/magazine/studio/inbox/", item,
            "/magazine/studio/stickers", "/media/"]


def _organiser_pages(walk: Walk, page) -> list[str]:
    """Every page of running training, on the event with a survey (held this year, with answers) and the
    full workshop (a waiting list on its roster)."""
    page.goto(f"{walk.base_url}/events/manage/")
    events = page.eval_on_selector_all("article.event-card", """cards => cards.map(card => ({
        href: card.querySelector('h2 a').getAttribute('href'), text: card.innerText,
        roster: card.querySelector('a[href$="/roster"]')?.getAttribute('href')}))""")
    surveyed = next(item["href"] for item in events if "生成AI" in item["text"])
    workshop = [item for item in events if "データ利活用" in item["text"]][0]  # upcoming first: this year's, full
    session = workshop["roster"].rsplit("/", 1)[0]
    # The edit forms are the new-event and new-session templates filled in: the new ones stand for them.
    return ["/events/manage/", surveyed, f"{surveyed}/survey", workshop["href"], workshop["roster"],
            f"{session}/qr", f"{session}/attendance-import", f"{workshop['href']}/sessions/new",
            "/events/manage/new", "/notices/announcements"]


ROLES = {"learner": _learner_pages, "manager": _manager_pages, "reporter": _reporter_pages,
         "admin": _admin_pages, "author": _author_pages, "organiser": _organiser_pages}


def _open_walk(browser, live_server, viewport: str, locale: str):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale, bypass_csp=True)  # axe is injected
    page = context.new_page()
    walk = Walk(live_server["base_url"], viewport, locale[:2])
    # The app's own host, and the origin its SCORM packages run on (the same server, another port).
    own_hosts = {urlsplit(walk.base_url).netloc, urlsplit(live_server["package_origin"]).netloc}
    page.on("console", lambda message: message.type == "error" and walk.console.append(message.text))
    page.on("pageerror", lambda error: walk.console.append(str(error)))
    page.on("request", lambda request: urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc not in own_hosts and walk.foreign.append(request.url))
    return context, page, walk


# Japanese (the default) on both screens; on a tablet, where tables are still tables but may not fit (their
# boxes must then be reachable by keyboard), for the roles whose pages are wide tables; English on the phone,
# where longer words break layouts first, for the roles most staff have. The other combinations share their
# templates and components with these, and the walk must keep `make test` within its time.
WALKS = [(role, "ja-JP", viewport) for role in ROLES for viewport in ("desktop", "phone")]
WALKS += [(role, "ja-JP", "tablet") for role in ("manager", "reporter", "admin", "organiser")]  # the wide tables
WALKS += [(role, "en-US", "phone") for role in ("learner", "manager", "reporter")]


@pytest.mark.parametrize(("role", "locale", "viewport"), WALKS)
def test_every_page_of_a_role_passes_axe_fits_the_screen_and_stays_on_this_host(live_server, browser, role,
                                                                                locale, viewport):
    context, page, walk = _open_walk(browser, live_server, viewport, locale)
    try:
        browser_sign_in(page, walk.base_url, _account(live_server, role))
        if locale.startswith("en"):
            page.goto(f"{walk.base_url}/language/en")
            assert page.locator("html").get_attribute("lang") == "en"
        for path in ROLES[role](walk, page):
            walk.check(page, path)
    finally:
        context.close()
    assert walk.pages >= 1
    assert not walk.foreign, f"requests to other hosts: {walk.foreign}"
    assert not walk.problems, "\n".join(walk.problems)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_pages_without_an_account_pass_axe_and_fit_the_screen(live_server, browser, viewport):
    context, page, walk = _open_walk(browser, live_server, viewport, "ja-JP")
    try:
        for path in ("/sign-in", "/verify/"):
            walk.check(page, path)
    finally:
        context.close()
    assert not walk.foreign and not walk.problems, "\n".join(walk.problems + walk.foreign)
