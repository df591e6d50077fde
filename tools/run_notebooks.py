"""Execute notebooks in place (top to bottom, fresh kernel) and normalize them for committing.

Normalizing removes what changes from run to run without meaning anything: execution timings,
widget state, kernel metadata versions. It keeps outputs and execution counts, which nbval
compares. Usage: python tools/run_notebooks.py notebooks/*.ipynb
"""
import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

VOLATILE_NOTEBOOK_METADATA = ("widgets",)
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")
# a widget view refers to a live model by a random id; without the saved widget state it cannot be
# shown anyway, so keep only its text form (the cells carry # NBVAL_IGNORE_OUTPUT)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalize(nb):
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        cell.pop("id", None) if nb.nbformat_minor < 5 else None
    return nb


def run(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(normalize(nb), path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"executing {path}", flush=True)
        run(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
