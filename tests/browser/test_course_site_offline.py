"""The course site (make course) in headless Chromium from the file system, with no server and no network:
formulas rendered, navigation between lessons and back, nothing requested from outside the site."""
from __future__ import annotations

import subprocess
import sys

from .conftest import CASE_STUDIES, LESSONS, ROOT


def test_the_site_works_offline(page, tmp_path, screenshots):
    sources = [ROOT / "notebooks" / n for n in LESSONS] + [ROOT / "case_studies" / n for n in CASE_STUDIES]
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(tmp_path), *map(str, sources)],
                   check=True, stdout=subprocess.DEVNULL)
    outside = []
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
    page.goto((tmp_path / "index.html").as_uri())
    assert page.locator("td a").count() == len(sources)
    page.screenshot(path=str(screenshots / "site-index.png"))

    page.click("text=Churn and retention rates")                         # lesson 03: many formulas
    formulas = page.locator("math")
    assert formulas.count() > 5
    box = page.locator("math[display=block]").first.bounding_box()
    assert box and box["height"] > 15 and box["width"] > 100                 # laid out as mathematics
    assert "\\frac" not in page.locator("main").inner_text()                   # no raw TeX on the page
    page.locator("math[display=block]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "site-lesson-03.png"))

    page.locator("nav.course.top a[rel=next]").click()
    assert page.url.endswith("04_cohorts_and_survival.html")
    page.locator("nav.course.top a[rel=prev]").click()
    assert page.url.endswith("03_churn_and_retention.html")
    page.locator("nav.course.bottom a.home").click()
    assert page.url.endswith("index.html")
    assert not outside, f"the site requested {outside[:3]}"
