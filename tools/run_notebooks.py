"""Execute notebooks in place (top to bottom, fresh kernel) and save them as JupyterLab saves them.

Normalizing removes what changes from run to run without meaning anything: execution timings,
widget state and the random ids of widget views (an explorer's output keeps its static view,
which JupyterLab shows without a kernel). It keeps outputs and execution counts, which nbval
compares, and the kernel's ``language_info`` including ``version``: without it JupyterLab fills
it in on opening and marks the notebook modified. Usage:

    python tools/run_notebooks.py notebooks/*.ipynb
"""
import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
VOLATILE_NOTEBOOK_METADATA = ("widgets",)
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"   # refers to a live model by a random id


def normalize(nb):
    """Drop volatile metadata and widget views; keep outputs, counts and the kernel's language_info."""
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    if not nb.metadata.get("language_info", {}).get("version"):
        raise ValueError("the kernel did not report language_info.version; JupyterLab would mark the notebook "
                         "modified on opening")
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def run(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(normalize(nb), path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"executing {path}", flush=True)
        run(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
