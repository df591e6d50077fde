"""Render the executed course notebooks to a browsable HTML site (no execution: the committed
notebooks already hold their outputs, which `make test` checks).

Usage: python tools/build_site.py --out build/site notebooks/*.ipynb case_studies/*.ipynb
"""
import argparse
import html
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter


def title_of(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    exporter = HTMLExporter(template_name="lab")
    entries = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        target = args.out / path.parent.name / (path.stem + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        # links between lessons point at .ipynb files; on the site they are .html pages
        target.write_text(body.replace('.ipynb"', '.html"'), encoding="utf-8")
        entries.append((f"{path.parent.name}/{path.stem}.html", title_of(nb, path.stem)))
        print(f"wrote {target}")
    items = "\n".join(f'<li><a href="{href}">{html.escape(title)}</a></li>' for href, title in entries)
    (args.out / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Data-driven customer retention</title></head>"
        f"<body><h1>Data-driven customer retention</h1><ol>{items}</ol></body></html>\n", encoding="utf-8")
    print(f"wrote {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
