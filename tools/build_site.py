"""Render the executed course notebooks as a site that works offline, in ``build/site/``.

No execution: the committed notebooks hold their outputs, which ``make test`` checks. The site is the
students' version: solutions and model answers are removed as in the student release, and the outputs of
exercise cells cleared. Pages use
JupyterLab's own nbconvert template ("lab") through ``tools/site_template/course``, which loads nothing
from outside the site and adds a bar to the previous and next lesson and back to the index. Formulas
are rendered here, at build time, to MathML (latex2mathml), which browsers display natively: no MathJax,
no network. Explorers show their static view (the committed notebooks keep no widget state).

Usage: python tools/build_site.py --out build/site notebooks/*.ipynb case_studies/*.ipynb
"""
import argparse
import html
import re
import sys
from pathlib import Path

import nbformat
from latex2mathml.converter import convert
from nbconvert import HTMLExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_student import strip_solutions  # noqa: E402  (the student release's own rule, in tools/)

TEMPLATES = Path(__file__).resolve().parent / "site_template"
COURSE = "Data-driven customer retention"
# code (fenced or inline) is left alone; outside it, \\$ and \$ are dollar signs and $...$ / $$...$$ are formulas
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|\$(?!\s)([^$\n]+?)(?<!\s)\$", re.S)


def render_math(markdown: str) -> str:
    """Markdown with its formulas as MathML and its escaped dollar signs as the HTML entity."""
    def outside_code(text: str) -> str:
        text = text.replace("\\\\$", "&#36;").replace("\\$", "&#36;")     # rk.money writes \\$; by hand, \$
        return MATH.sub(lambda m: convert(m.group(1).strip(), display="block") if m.group(1) is not None
                        else convert(m.group(2)), text)
    return "".join(part if CODE.fullmatch(part) else outside_code(part) for part in CODE.split(markdown))


def prepare(nb):
    """The student's version, formulas as MathML: solutions and model answers removed (as in the student
    release), the outputs of exercise cells (a solution or a check) cleared, formulas rendered in markdown cells
    and in the Markdown the code displayed."""
    for cell in nb.cells:
        if cell.cell_type == "code" and ("### BEGIN SOLUTION" in cell.source or "rk.check(" in cell.source):
            cell.outputs = []
        cell.source = strip_solutions(cell.source)
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = render_math(data["text/markdown"])
    return nb


def title_of(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def course_map(books) -> dict:
    """Each lesson's business question, from the course map in the start page (one source for both)."""
    questions = {}
    for _, nb in books:
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "business question |" in cell.source:
                for stem, question in re.findall(r"^\|\s*\d+\s*\|\s*\[[^]]+\]\(([^)]+)\.ipynb\)\s*\|\s*([^|]+?)\s*\|",
                                                 cell.source, re.M):
                    questions[Path(stem).name] = re.sub(r"[*`]", "", question)
    return questions


def summary_of(nb) -> str:
    """The first sentence of the first paragraph (for a page the course map does not list)."""
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    paragraphs = [p for p in (markdown[0].split("\n\n") if markdown else []) if p and not p.startswith("#")]
    return re.sub(r"[*`]", "", paragraphs[0].split(". ")[0]).strip().rstrip(".") + "." if paragraphs else ""


def index_page(sections: dict) -> str:
    parts = []
    for heading, entries in sections.items():
        if not entries:
            continue
        rows = "\n".join(f"<tr><td class='n'>{html.escape(e['number'])}</td><td><a href='{e['href']}'>"
                         f"{html.escape(e['title'].split(' · ')[-1])}</a><p>{html.escape(e['summary'])}</p></td></tr>"
                         for e in entries)
        parts.append(f"<h2>{heading}</h2><table>{rows}</table>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{COURSE}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em; color: #1f2328;
         line-height: 1.5; }}
  h1 {{ color: #0b6e69; margin-bottom: 0.2em; }}
  .lead {{ color: #57606a; margin-top: 0; }}
  table {{ border-collapse: collapse; width: 100%; }}
  td {{ border-top: 1px solid #d0d7de; padding: 0.6em 0.8em; vertical-align: top; }}
  td.n {{ font-weight: 600; color: #0b6e69; width: 3em; }}
  td a {{ font-weight: 600; color: #0b6e69; text-decoration: none; }}
  td a:hover {{ text-decoration: underline; }}
  td p {{ margin: 0.2em 0 0; color: #57606a; }}
</style></head>
<body>
<h1>{COURSE}</h1>
<p class="lead">Every retention metric, computed by hand and with the kit, its uncertainty and its common
mistakes; then what to do with it. Open a lesson: each page shows the executed notebook, with static views of
its explorers, and its exercises without their solutions (run the notebook in JupyterLab, <code>make lab</code>,
to move the controls and check your answers).</p>
{''.join(parts)}
</body></html>
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    exporter = HTMLExporter(template_name="course", extra_template_basedirs=[str(TEMPLATES)])
    books = [(path, nbformat.read(path, as_version=4)) for path in args.notebooks]
    questions = course_map(books)
    entries = [dict(href=f"{path.parent.name}/{path.stem}.html", title=title_of(nb, path.stem),
                    summary=questions.get(path.stem) or summary_of(nb),
                    folder=path.parent.name, number=re.match(r"\d*", path.stem).group()) for path, nb in books]
    for i, ((path, nb), entry) in enumerate(zip(books, entries)):
        nav = {"index": "../index.html",
               "previous": ({"href": "../" + entries[i - 1]["href"], "title": entries[i - 1]["title"]} if i else None),
               "next": ({"href": "../" + entries[i + 1]["href"], "title": entries[i + 1]["title"]}
                        if i + 1 < len(entries) else None)}
        body, _ = exporter.from_notebook_node(prepare(nb), resources={"course_nav": nav,
                                                                       "metadata": {"name": entry["title"]}})
        target = args.out / entry["href"]
        target.parent.mkdir(parents=True, exist_ok=True)
        # links between lessons point at .ipynb files; on the site they are .html pages
        target.write_text(re.sub(r'href="([^":#]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body), encoding="utf-8")
        print(f"wrote {target}")
    sections = {"Lessons": [e for e in entries if e["folder"] != "case_studies"],
                "Case studies": [e for e in entries if e["folder"] == "case_studies"]}
    (args.out / "index.html").write_text(index_page(sections), encoding="utf-8")
    print(f"wrote {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
