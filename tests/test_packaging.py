"""The package holds on its own: its metadata declares what it imports, and it installs and finds its data
from a wheel, from `pip install .` and from `pip install -e .`, in a virtual environment that starts empty.

The environment is built once for the module (pip resolves the dependencies from the package's own metadata,
from the package index; pip's cache makes later runs fast).
"""
import ast
import os
import subprocess
import sys
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "retention_kit"
USE_EVERYTHING = """
import importlib.resources, sys
import retention_kit as rk
print(rk.__file__)
data = importlib.resources.files("retention_kit.data")
assert data.joinpath("LICENSE-telco").is_file() and data.joinpath("README.md").is_file()
assert rk.datasets.load_telco_churn().shape == (7043, 21)
assert rk.datasets.load_coffee_transactions().shape == (26086, 3)
summary = rk.rfm_summary(rk.datasets.load_coffee_transactions())
rk.clv.BetaGeo().fit(summary)
life = rk.survival.subscription_lifetimes(rk.datasets.load_saas_subscriptions(), observation_period_end="2026-01-01")
rk.survival.kaplan_meier(life, by="plan")
import matplotlib; matplotlib.use("Agg")
rk.plots.cohort_heatmap(rk.cohorts.cohort_retention(rk.cohort_table(rk.datasets.load_coffee_transactions())))
rk.widgets.churn_compounding_explorer()
assert rk.check("03-annual-from-monthly", 1 - 0.97 ** 12)
"""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_metadata_declares_every_third_party_import():
    imported = set().union(*(_imports(p) for p in PACKAGE.rglob("*.py"))) - set(sys.stdlib_module_names)
    imported -= {"retention_kit"}
    distributions = packages_distributions()
    needed = {distributions[name][0].lower() if name in distributions else name.lower() for name in imported}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name_of = lambda dep: dep.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip().lower()  # noqa: E731
    declared = {name_of(dep) for dep in project["dependencies"]}
    extras = {name_of(dep) for deps in project.get("optional-dependencies", {}).values() for dep in deps}
    assert needed <= declared | extras, f"imported but not declared: {sorted(needed - declared - extras)}"
    # an extra's package (Polars, pyarrow, PySpark) is imported only where it is used, never by the kit's import
    for module in sorted(extras - declared):
        assert module not in _imports(PACKAGE / "__init__.py")
    assert project["license"] == "MIT"                                       # an SPDX expression


def test_every_package_directory_is_listed_for_setuptools():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found | {"retention_kit.data"} == listed


@pytest.fixture(scope="module")
def wheel_in_empty_venv(tmp_path_factory):
    """An empty venv, then the kit's wheel installed into it with the dependencies its metadata names."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home / "env")
    python = home / "env" / "bin" / "python"
    assert subprocess.run([python, "-c", "import pandas"], capture_output=True).returncode != 0   # really empty
    result = subprocess.run([python, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                             "-w", str(home / "wheels"), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    _pip(python, str(next((home / "wheels").glob("retention_kit-*.whl"))))
    return python


def _pip(python, *args, cwd=ROOT):
    result = subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *args],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def _use_everything(python, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([python, "-c", USE_EVERYTHING], cwd=cwd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


def test_wheel_installs_into_an_empty_environment_from_its_own_metadata(wheel_in_empty_venv, tmp_path):
    location = _use_everything(wheel_in_empty_venv, cwd=tmp_path)
    assert "site-packages" in location.parts


def test_plain_and_editable_installs_find_the_data_too(wheel_in_empty_venv, tmp_path):
    python = wheel_in_empty_venv
    _pip(python, "--no-deps", "--force-reinstall", ".")
    assert "site-packages" in _use_everything(python, cwd=tmp_path).parts
    _pip(python, "--no-deps", "-e", ".")
    assert _use_everything(python, cwd=tmp_path) == PACKAGE / "__init__.py"   # the working tree, data from datasets/
