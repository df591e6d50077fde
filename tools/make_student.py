"""Write student copies of the course notebooks: solutions and model answers removed, outputs cleared.

In the instructor notebooks a solution sits between a line ``### BEGIN SOLUTION`` and a line
``### END SOLUTION``; the student copy replaces it with ``# YOUR CODE HERE``, so the
``answer = None`` line above it stays and ``rk.check`` reports the exercise as unanswered. A model
answer to a judgement question sits in a markdown cell between ``<!-- BEGIN MODEL ANSWER -->`` and
``<!-- END MODEL ANSWER -->`` (invisible when rendered); the student copy replaces it with a line
that invites the student's own answer.
Usage: python tools/make_student.py --out build/student notebooks/*.ipynb
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n.*?^([ \t]*)### END SOLUTION[ \t]*$", re.S | re.M)
MODEL_ANSWER = re.compile(r"<!-- BEGIN MODEL ANSWER -->.*?<!-- END MODEL ANSWER -->", re.S)
YOUR_ANSWER = "*Your answer:* (write it here, then compare it with your instructor's)"


def strip_solutions(source: str) -> str:
    """Replace every solution block with a placeholder at the block's indentation, and every model answer."""
    for begin, end in (("### BEGIN SOLUTION", "### END SOLUTION"),
                       ("<!-- BEGIN MODEL ANSWER -->", "<!-- END MODEL ANSWER -->")):
        if source.count(begin) != source.count(end):
            raise ValueError(f"unbalanced {begin} / {end} markers in:\n" + source)
    source = MODEL_ANSWER.sub(YOUR_ANSWER, source)
    return SOLUTION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE", source)


def student_copy(nb):
    for cell in nb.cells:
        cell.source = strip_solutions(cell.source)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the student copies")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        target = args.out / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
