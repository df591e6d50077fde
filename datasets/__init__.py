"""The data files shipped with retention-kit, with their data cards (``README.md``).

This folder is installed as the package ``retention_kit.data`` (a ``package-dir`` mapping in
``pyproject.toml``), so ``importlib.resources`` finds the files after ``pip install .``,
``pip install -e .`` or from a wheel. Read them with ``rk.datasets.load_*``.
"""
