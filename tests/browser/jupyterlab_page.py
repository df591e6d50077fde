"""Driving one notebook in JupyterLab: open it, run every cell, read what a student sees."""
from __future__ import annotations

import re
import time

PROMPTS = "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent)"
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def open_notebook(page, lab, path: str):
    """Open ``path``, wait for the kernel to be idle; return the hosts of requests that left the machine."""
    outside = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else outside.append(r.url))
    page.goto(lab.url(path))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_selector("#jp-main-statusbar >> text=Idle")
    return outside


def is_dirty(page) -> bool:
    """Whether the notebook's tab is marked modified (JupyterLab's dot in place of the close icon)."""
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty").count() > 0


def run_all(page, timeout_s: float = 600) -> float:
    """Restart the kernel and run every cell, as the toolbar button does; return the seconds it took."""
    start = time.monotonic()
    page.click("[data-command='notebook:restart-run-all']")
    page.click(".jp-Dialog-button.jp-mod-accept")
    page.wait_for_function(f"() => ({PROMPTS})().some(t => t.includes('*'))", timeout=30_000)
    page.wait_for_function(f"() => {{ const p = ({PROMPTS})(); return p.length > 0 && "
                           "p.every(t => /\\[\\d+\\]/.test(t)); }", timeout=timeout_s * 1000, polling=250)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle")
    return time.monotonic() - start


def cells_text(page, selector: str) -> list[str]:
    """The text of every element matching ``selector`` (textContent: also cells scrolled out of view)."""
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def save(page):
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty')")


def same_text(shown: str, expected: str) -> bool:
    """Equal words, and numbers equal up to one unit of the last decimal shown (a slider's value in the
    browser is a float sum of steps, 0.30 + 0.01 = 0.31000000000000005)."""
    shown, expected = " ".join(shown.split()), " ".join(expected.split())
    if NUMBER.split(shown) != NUMBER.split(expected):
        return False
    a, b = NUMBER.findall(shown), NUMBER.findall(expected)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        decimals = len(y.split(".")[1]) if "." in y else 0
        if abs(float(x.replace(",", "")) - float(y.replace(",", ""))) > 1.01 * 10 ** -decimals:
            return False
    return True


def readout_value(text: str) -> float:
    """A slider's readout as a number: '31%' -> 0.31, '$100' -> 100, '1,000' -> 1000."""
    text = text.strip().replace("$", "").replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)
