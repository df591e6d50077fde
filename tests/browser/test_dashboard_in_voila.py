"""The instructor's dashboard (make dashboard) served by Voila, in headless Chromium: it shows the kit's numbers
for each setting of its controls, answers a move quickly, and requests nothing from outside the machine."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import retention_kit as rk
from retention_kit import dashboard

from .conftest import LATENCY, ROOT, _free_port
from .jupyterlab_page import same_text


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("voila") / "voila.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), str(ROOT / "dashboards" / "retention_dashboard.ipynb"),
         "--no-browser", "--template=retention", f"--port={port}", "--Voila.ip=127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env=dict(os.environ, JUPYTER_PATH=str(ROOT / "dashboards" / "share")))
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=60)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Voila did not start; see {log.name}")
            time.sleep(0.3)
    yield url
    os.killpg(process.pid, signal.SIGTERM)                     # Voila and its kernels, by Voila's PID
    process.wait(20)
    log.close()


def _changed(page, image, before: str) -> float:
    start = time.monotonic()
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before],
                           polling="raf", timeout=30_000)
    return time.monotonic() - start


def test_the_dashboard_answers_each_control_with_the_kit_s_numbers(page, voila, screenshots):
    outside = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else outside.append(r.url))
    page.goto(voila)
    box = page.locator(".widget-vbox").first
    image = box.locator("img").first
    page.wait_for_function("el => el.getAttribute('src')", arg=image.element_handle(), timeout=120_000)
    label = box.locator(".widget-html").first
    subs = rk.datasets.load_saas_subscriptions()
    subs["support"] = ["unresolved ticket" if t > 0 else "all resolved" for t in subs["unresolved_tickets_90d"]]
    assert same_text(label.text_content(), dashboard.dashboard_view(subs)[0])

    seconds = []
    moves = [(lambda: box.locator("select").nth(0).select_option("retention rate"), ("retention rate", "quarter", None)),
             (lambda: box.locator("button", has_text="month").click(), ("retention rate", "month", None)),
             (lambda: box.locator("select").nth(1).select_option(label="plan = pro"),
              ("retention rate", "month", ("plan", "pro"))),
             (lambda: box.locator("select").nth(0).select_option("new customers"), ("new customers", "month", ("plan", "pro")))]
    for move, setting in moves:
        before = image.get_attribute("src")
        start = time.monotonic()
        move()
        _changed(page, image, before)
        seconds.append(time.monotonic() - start)
        expected = dashboard.dashboard_view(subs, *setting)[0]
        page.wait_for_function("([el, text]) => el.textContent.includes(text)", arg=[label.element_handle(),
                               expected.split(":")[0]], timeout=10_000)
        assert same_text(label.text_content(), expected), (label.text_content(), expected)
    LATENCY["dashboard"] = seconds
    page.screenshot(path=str(screenshots / "dashboard.png"))
    assert not outside, f"the dashboard requested {outside[:3]}"
