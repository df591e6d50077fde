"""The data files shipped with the kit, and how each synthetic one is rebuilt.

``python tools/build_datasets.py --check`` regenerates every synthetic file in
memory and compares it byte for byte with the shipped copy; ``--write DIR`` writes them to a
folder of your choice (it refuses to overwrite existing files unless ``--force`` is given).
"""
from __future__ import annotations

import argparse
import io
import sys
from importlib import resources
from pathlib import Path

from ..validation import InputError
from .simulate import make_retention_costs, make_subscriptions, make_survey, make_transactions

__all__ = ["SYNTHETIC", "data_path", "render", "planted_truth", "main"]

# Harbor Coffee's app-launch promotion (a free drink for joining) brought a burst of casual members
COFFEE_LAUNCH_PROMOTION = dict(start="2024-11-01", end="2024-12-01", n_customers=700, r=0.3, alpha=20.0, a=1.2, b=2.0)

# file name -> function that simulates it (seeds fixed here, and only here)
SYNTHETIC = {
    "coffee_transactions.csv": lambda: make_transactions(3000, promotion=COFFEE_LAUNCH_PROMOTION, random_state=20240101),
    "saas_subscriptions.csv": lambda: make_subscriptions(4000, random_state=20220101),
    "telecom_survey.csv": lambda: make_survey(1000, random_state=20250301),
    "retention_costs.csv": lambda: make_retention_costs(random_state=20240102),
}


def planted_truth(name: str) -> dict:
    """The truth planted in a shipped synthetic file, such as ``"coffee_transactions"``.

    It re-runs the file's simulator with its fixed seed (a fraction of a second); the test suite
    checks that the same run reproduces the shipped file byte for byte.

    Parameters
    ----------
    name : str
        The file's name without ``.csv``: one of ``coffee_transactions``, ``saas_subscriptions``,
        ``telecom_survey``, ``retention_costs``.

    Returns
    -------
    dict, the simulator's ``truth``.

    Raises
    ------
    InputError
        For a name that is not a shipped synthetic file.

    Examples
    --------
    >>> planted_truth("telecom_survey")["nps"]
    {1: 5.0, 2: 13.0}
    """
    key = name if isinstance(name, str) and name.endswith(".csv") else f"{name}.csv"
    if key not in SYNTHETIC:
        raise InputError(f"name={name!r} is not a shipped synthetic file; choose one of {[k[:-4] for k in SYNTHETIC]}.")
    return SYNTHETIC[key]().truth


def data_path(name: str):
    """The shipped file ``name`` as a ``Traversable`` in the package ``retention_kit.data`` (the ``datasets/`` folder).

    Parameters
    ----------
    name : str, a file name such as ``"coffee_transactions.csv"``

    Returns
    -------
    importlib.resources.abc.Traversable

    Raises
    ------
    ModuleNotFoundError
        When the kit is installed without its data (never from this repository or its wheel).

    Examples
    --------
    >>> data_path("README.md").is_file()
    True
    """
    return resources.files("retention_kit.data").joinpath(name)


def render(name: str) -> bytes:
    """The exact bytes of a synthetic file as the kit generates it.

    Parameters
    ----------
    name : str, a key of ``SYNTHETIC``

    Returns
    -------
    bytes

    Raises
    ------
    KeyError
        For a name that is not a shipped synthetic file.

    Examples
    --------
    >>> render("retention_costs.csv")[:26]
    b'date,program,item,amount\\n2'
    """
    buffer = io.StringIO()
    SYNTHETIC[name]().data.to_csv(buffer, index=False, date_format="%Y-%m-%d %H:%M:%S" if "coffee" in name
                             else "%Y-%m-%d", lineterminator="\n")
    return buffer.getvalue().encode()


def main(argv=None) -> int:
    """The command line of ``tools/build_datasets.py``: ``--check``, or ``--write DIR [--force]``.

    Parameters
    ----------
    argv : list of str, optional (default the process's arguments)

    Returns
    -------
    int, 0 when every file matches (or was written), 1 otherwise.

    Raises
    ------
    SystemExit
        For arguments argparse refuses.

    Examples
    --------
    >>> main(["--check"])   # doctest: +ELLIPSIS
    ok       coffee_transactions.csv (...)
    ...
    0
    """
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="compare regenerated files with the shipped ones")
    group.add_argument("--write", metavar="DIR", help="write the synthetic files into DIR")
    parser.add_argument("--force", action="store_true", help="with --write, replace files that exist")
    args = parser.parse_args(argv)
    status = 0
    for name in SYNTHETIC:
        data = render(name)
        if args.check:
            shipped = data_path(name).read_bytes()
            same = shipped == data
            print(f"{'ok      ' if same else 'DIFFERS '} {name} ({len(shipped):,} bytes shipped)")
            status |= not same
        else:
            target = Path(args.write) / name
            if target.exists() and not args.force:
                print(f"refusing to overwrite {target}; pass --force to replace it", file=sys.stderr)
                status = 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {target} ({len(data):,} bytes)")
    return status
