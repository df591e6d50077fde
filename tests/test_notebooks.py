"""Rules every committed lesson must keep (nbval itself runs from `make test`)."""
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from retention_kit.exercises import exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "case_studies").glob("*.ipynb"))
LESSONS = [nb for nb in NOTEBOOKS if not nb.name.startswith("00_")]
EXPLORER = re.compile(r"rk\.widgets\.\w+_explorer\(")


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(path):
    return [c for c in read(path).cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_lessons():
    assert len(LESSONS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_executed_clean_and_png_only(path):
    cells = code_cells(path)
    assert all(c.execution_count is not None for c in cells), "run `make notebooks`: nbval compares nothing without counts"
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "cells must be executed once, top to bottom"
    outputs = [o for c in cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert any("image/png" in o.get("data", {}) for o in outputs), "a lesson needs at least one figure"
    assert not any(o.output_type == "stream" and o.name == "stderr" for o in outputs), "warnings leak into the lesson"
    text = json.dumps(read(path))
    outside_data = "/".join(["..", "shared"])   # the course must never read data from outside the repository
    assert "sys.path" not in text and outside_data not in text and "<Axes" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_as_jupyterlab_saves_it(path):
    """Opening and saving in JupyterLab changes nothing: the kernel's language_info is already there (with the
    version of this Python), cells have ids, and the file is what nbformat writes (JupyterLab saves through it)."""
    nb = read(path)
    info = nb.metadata["language_info"]
    assert info["version"] == ".".join(map(str, sys.version_info[:3])), "re-run `make notebooks` with this Python"
    assert info["name"] == "python" and info["codemirror_mode"] == {"name": "ipython", "version": 3}
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5) and all("id" in c for c in nb.cells)
    assert "widgets" not in nb.metadata
    assert path.read_text(encoding="utf-8") == nbformat.writes(nb) + "\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_uses_cell_tags_not_comments_students_read(path):
    for cell in code_cells(path):
        assert "NBVAL" not in cell.source.upper(), "use the cell tag nbval-ignore-output"
        if EXPLORER.search(cell.source):
            assert "nbval-ignore-output" in cell.metadata.get("tags", [])


def _prose_typeset_as_math(markdown: str) -> list[str]:
    """Stretches of Markdown that MathJax would typeset as a formula although they are prose.

    Measured in JupyterLab 4.6: the text between two unescaped dollar signs of one Markdown cell or
    output is typeset (``\\$`` does not escape it there; ``\\\\$``, what rk.money writes, does). Two dollar
    amounts in one sentence turn the words between them into italic mathematics; a formula has no
    English word outside ``\\text{...}``.
    """
    text = markdown.replace("\\\\$", "")
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    spans = re.split(r"(?<!\\)\$", text)[1::2]
    words = re.compile(r"[A-Za-z]{4,}")
    return [s for s in spans if words.search(re.sub(r"\\[A-Za-z]+(\{[^}]*\})?", " ", s))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_dollar_amount_is_typeset_as_math(path):
    """Measured in JupyterLab 4.6: in Markdown (cells and outputs) `\\$` still becomes math and `\\\\$` shows a dollar
    sign; in HTML outputs a pair of raw `$` becomes math unless an enclosing element has the class mathjax_ignore."""
    for i, cell in enumerate(read(path).cells):
        markdown = [cell.source] if cell.cell_type == "markdown" else []
        html = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            markdown.append("".join(data.get("text/markdown", "")))
            html.append("".join(data.get("text/html", "")))
        for text in markdown:
            assert not _prose_typeset_as_math(text), f"cell {i}: write money with rk.money(...) in Markdown"
        for text in html:
            if "mathjax_ignore" not in text:
                assert text.count("$") < 2, f"cell {i}: two $ in an HTML output are typeset as math"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_explorers_show_a_static_view_without_a_kernel(path):
    for cell in code_cells(path):
        if EXPLORER.search(cell.source):
            data = {k: v for o in cell.outputs for k, v in o.get("data", {}).items()}
            assert "application/vnd.jupyter.widget-view+json" not in data       # random model ids: normalized away
            assert "data:image/png;base64," in data["text/html"] and "mathjax_ignore" in data["text/html"]
            assert not data["text/plain"].lstrip().startswith(("VBox", "HBox", "interactive"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_skeleton(path):
    nb = read(path)
    first = nb.cells[0].source
    assert first.startswith("# ") and all(k in first for k in ("Prerequisites", "You will learn", "Data"))
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    assert "## Exercises" in headings and headings[-1] == "## Key takeaways"


def test_every_exercise_is_used_exactly_once_and_every_check_exists():
    used = []
    for path in NOTEBOOKS:
        for cell in code_cells(path):
            used += re.findall(r'rk\.check\("([^"]+)"', cell.source)
    lesson_checks = [u for u in used if not u.startswith("00-")]
    assert sorted(set(used)) == sorted(exercises())
    assert len(lesson_checks) == len(set(lesson_checks))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_judgement_question_has_a_model_answer(path):
    cells = read(path).cells
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    exercise = re.compile(r"^\*\*\d+\.\*\*", re.M)
    questions = [i for i in range(start, len(cells)) if cells[i].cell_type == "markdown" and exercise.search(cells[i].source)]
    for n, i in enumerate(questions):
        if re.search(r"\bjudge\b|which is the (strongest|best)|what do .* support", cells[i].source, re.I):
            until = questions[n + 1] if n + 1 < len(questions) else len(cells)
            block = "".join(c.source for c in cells[i:until] if c.cell_type == "markdown")
            assert "<!-- BEGIN MODEL ANSWER -->" in block, f"{path.name}: no model answer for {cells[i].source[:60]!r}"


def test_solutions_are_marked_and_every_check_passes_in_the_instructor_copy():
    for path in LESSONS:
        for cell in code_cells(path):
            if "rk.check(" in cell.source and "### BEGIN SOLUTION" in cell.source:
                assert cell.source.lstrip().startswith("answer = None")
                shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
                assert shown.startswith("✔"), f"{path.name}: {shown[:80]}"


def test_student_release_has_no_solutions_and_runs_top_to_bottom(tmp_path):
    out = tmp_path / "student"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student.py"), "--out", str(out),
                    *map(str, NOTEBOOKS)], check=True, capture_output=True)
    copies = sorted(out.rglob("*.ipynb"))
    assert sorted(c.name for c in copies) == sorted(p.name for p in NOTEBOOKS)
    for copy in copies:
        nb = nbformat.read(copy, as_version=4)
        text = "".join(c.source for c in nb.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text and "MODEL ANSWER" not in text
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
        assert nb.metadata["language_info"]["version"]          # opens unmodified in JupyterLab too
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(copy.parent)}}).execute()
        for cell in nb.cells:
            if cell.cell_type == "code" and "# YOUR CODE HERE" in cell.source:
                shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
                assert "not answered yet" in shown


def test_strip_solutions_keeps_indentation_and_refuses_unbalanced_markers():
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
    tool = module_from_spec(spec)
    spec.loader.exec_module(tool)
    src = "answer = None\nif True:\n    ### BEGIN SOLUTION\n    answer = 42\n    ### END SOLUTION\nprint(answer)"
    assert tool.strip_solutions(src) == "answer = None\nif True:\n    # YOUR CODE HERE\nprint(answer)"
    with pytest.raises(ValueError, match="unbalanced"):
        tool.strip_solutions("### BEGIN SOLUTION\nx = 1\n")
    judged = "Judge it.\n\n<!-- BEGIN MODEL ANSWER -->\n**Model answer.** (b).\n<!-- END MODEL ANSWER -->\n"
    assert tool.strip_solutions(judged) == "Judge it.\n\n" + tool.YOUR_ANSWER + "\n"


def test_course_site_has_a_page_per_notebook_with_working_links(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(tmp_path),
                    *map(str, NOTEBOOKS)], check=True, capture_output=True)
    index = (tmp_path / "index.html").read_text()
    assert "<style>" in index and "<script" not in index
    links_checked = 0
    for i, path in enumerate(NOTEBOOKS):
        page = tmp_path / path.parent.name / f"{path.stem}.html"
        href = f"{path.parent.name}/{path.stem}.html"
        assert page.exists() and f"href='{href}'" in index, f"{href} is not on the index"
        assert re.search(rf"href='{re.escape(href)}'>[^<]+</a><p>[^<]{{20,}}</p>", index), f"{href}: no sentence"
        text = page.read_text()
        assert "<img" in text and ".ipynb\"" not in text
        explorers = sum(bool(re.search(r"_explorer\(", c.source.strip().splitlines()[-1]))
                        for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" and c.source)
        assert text.count("A static view of the starting state") == explorers     # explorers as their static view
        # a way back to the index and on to the neighbours, at the top and the bottom of the page
        nav = re.findall(r'<nav[^>]*class="course (?:top|bottom)"[^>]*>(.*?)</nav>', text, re.S)
        assert len(nav) == 2 and all('href="../index.html"' in n for n in nav)
        assert ('rel="prev"' in nav[0]) == (i > 0) and ('rel="next"' in nav[0]) == (i < len(NOTEBOOKS) - 1)
        for link in re.findall(r'href="((?:\.\./[a-z_]+/)?[0-9]{2}_[a-z_]+\.html|\.\./index\.html)"', text):
            assert (page.parent / link).exists(), f"{page.name} links to missing {link}"
            links_checked += 1
        # no error output; nothing loaded from outside the site (links in prose may point anywhere)
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text and "Traceback" not in text
        # the students' version: no solution, no model answer, no check's verdict
        assert not re.search(r"BEGIN SOLUTION|Model answer|✔ [0-9]{2}-|: correct\.", text), f"{path.name} gives answers away"
        assert not re.findall(r'<script\b[^>]*\bsrc=|<link\b[^>]*href="(?:https?:)?//|\bsrc="(?:https?:)?//'
                              r'|url\((?:["\']?)(?:https?:)?//|@import', text)
        # formulas arrive rendered (MathML), dollar amounts as dollar signs: no TeX left for a script to typeset
        prose = re.sub(r"<pre.*?</pre>|<code.*?</code>|<style.*?</style>", "", text, flags=re.S)
        assert not re.search(r"\\(?:frac|sum|text|sqrt|hat)\b|\$\$|&amp;#36;", prose), path.name
        sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
        if any(re.search(r"(?<!\\)\$[^$\s]", s.replace("\\\\$", "")) for s in sources):
            assert "<math" in text, f"{path.name}: formulas not rendered"
    assert links_checked >= 30        # navigation, the course map and the prerequisites link the lessons


def test_site_formulas_are_mathml_and_dollars_stay_dollars():
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    tool = module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tool.render_math("A \\\\$5 fee, \\$6 by hand; $x^2$ and $$a$$ but `$kept$` and ```\n$too$\n```")
    assert "&#36;5 fee, &#36;6 by hand" in out
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in out and 'display="block"' in out
    assert "`$kept$`" in out and "$too$" in out


def test_make_test_runs_unit_tests_and_nbval_over_every_notebook():
    plan = subprocess.run(["make", "-n", "test", "STAMP=Makefile"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    nbval = [line for line in plan.splitlines() if "--nbval" in line]
    assert any("pytest tests" in line for line in plan.splitlines())
    assert len(nbval) == 1 and "--nbval-sanitize-with nbval_sanitize.cfg" in nbval[0]
    assert all(str(p.relative_to(ROOT)) in nbval[0] for p in NOTEBOOKS)


def test_the_student_workspace_never_overwrites_a_file(tmp_path):
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("workspace", ROOT / "tools" / "workspace.py")
    tool = module_from_spec(spec)
    spec.loader.exec_module(tool)
    release, workspace = tmp_path / "release" / "notebooks", tmp_path / "workspace"
    release.mkdir(parents=True)
    (release / "01_a.ipynb").write_text("release 1")
    first = tool.update(release.parent, workspace)
    assert first["added"] == ["notebooks/01_a.ipynb"] and (workspace / "README.md").exists()
    (workspace / "notebooks" / "01_a.ipynb").write_text("the student's own work")
    (release / "01_a.ipynb").write_text("release 2, improved")          # the lesson is updated ...
    (release / "02_b.ipynb").write_text("a new lesson")                 # ... and a new one is released
    second = tool.update(release.parent, workspace)
    assert second == {"added": ["notebooks/02_b.ipynb"], "kept": [], "newer_release": ["notebooks/01_a.ipynb"]}
    assert (workspace / "notebooks" / "01_a.ipynb").read_text() == "the student's own work"
    assert (workspace / "notebooks" / "02_b.ipynb").read_text() == "a new lesson"
    third = tool.update(release.parent, workspace)
    assert third["added"] == [] and third["kept"] == ["notebooks/02_b.ipynb"]


def test_make_lab_opens_the_workspace_and_make_instructor_the_solutions():
    lab = subprocess.run(["make", "-n", "lab", "STAMP=Makefile"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "tools/make_student.py --out build/student" in lab and "tools/workspace.py" in lab
    assert 'root_dir="' + str(ROOT) + '/workspace"' in lab
    instructor = subprocess.run(["make", "-n", "instructor", "STAMP=Makefile"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout
    assert 'root_dir="' + str(ROOT) + '"' in instructor
