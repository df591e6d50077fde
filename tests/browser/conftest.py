"""Fixtures of the browser suite: JupyterLab on a copy of the course, and headless Chromium.

The course is copied twice into a temporary folder: a student's workspace, made as ``make lab`` makes it
(``tools/make_student.py``: solutions removed, outputs cleared; then ``tools/workspace.py``), and the
instructor copies (``notebooks/`` as committed). One
JupyterLab server, on a free port with a random token, serves both; it is stopped by its PID. The
browser is Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it with apt), driven by
Playwright; it is never downloaded.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "build" / "screenshots"
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
CASE_STUDIES = sorted(p.name for p in (ROOT / "case_studies").glob("*.ipynb"))
LATENCY: dict[str, list[float]] = {}           # explorer -> seconds from a control's move to the new figure


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: its base URL, token and the folder it serves."""

    def __init__(self, root: Path):
        self.root, self.port, self.token = root, _free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(root.parent / "jupyterlab.log", "w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip", "127.0.0.1",
             "--port", str(self.port), "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", *(["--allow-root"] if os.geteuid() == 0 else [])],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not start; see {self.log.name}")
                time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{path}?token={self.token}&reset"

    def shutdown_kernels(self):
        """Shut every kernel down, as closing JupyterLab and coming back another day does."""
        auth = {"Authorization": f"token {self.token}"}
        with urllib.request.urlopen(urllib.request.Request(f"{self.base}/api/kernels", headers=auth)) as r:
            kernels = json.load(r)
        for kernel in kernels:
            urllib.request.urlopen(urllib.request.Request(f"{self.base}/api/kernels/{kernel['id']}", method="DELETE",
                                                          headers=auth))

    def stop(self):
        if self.process.poll() is None:                       # the server and its kernels, by the server's PID
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """student/ and instructor/ copies of the lessons and case studies, in a fresh folder."""
    base = tmp_path_factory.mktemp("course")
    root = base / "served"
    sources = [ROOT / "notebooks" / n for n in LESSONS] + [ROOT / "case_studies" / n for n in CASE_STUDIES]
    # as make lab does it: the student release, then a student's workspace made from it
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student.py"), "--out", str(base / "release"),
                    *map(str, sources)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(ROOT / "tools" / "workspace.py"), "--release", str(base / "release"),
                    "--workspace", str(root / "student")], check=True, stdout=subprocess.DEVNULL)
    for source in sources:
        target = root / "instructor" / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return root


@pytest.fixture(scope="session")
def lab(course):
    server = Lab(course)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium), "
                    f"or set RK_CHROMIUM to its path", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_sessionfinish(session, exitstatus):
    """The control-to-figure times of this run, per explorer, in build/screenshots/latency.json (for the README)."""
    if not LATENCY:
        return
    every = [s for moves in LATENCY.values() for s in moves]
    summary = {"per_explorer_median_ms": {k: round(1000 * statistics.median(v)) for k, v in LATENCY.items()},
               "median_ms": round(1000 * statistics.median(every)), "max_ms": round(1000 * max(every))}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "latency.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("\ncontrol move to new figure, in the browser:", json.dumps(summary))
