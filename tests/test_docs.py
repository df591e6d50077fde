"""The package reads in one sitting: small modules, and numpydoc sections on every public function."""
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import pytest

import retention_kit

PACKAGE = Path(retention_kit.__file__).parent
ROOT = Path(__file__).resolve().parents[1]
MODULES = [m.name for m in pkgutil.walk_packages(retention_kit.__path__, "retention_kit.")
           if m.name != "retention_kit.data"]


def public_callables():
    seen = set()
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if not callable(obj) or not getattr(obj, "__module__", "").startswith("retention_kit") or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{obj.__module__}.{obj.__qualname__}", (obj, False)
            if inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if not meth_name.startswith("_") and inspect.isfunction(meth):
                        yield f"{obj.__module__}.{obj.__qualname__}.{meth_name}", (meth, True)


CALLABLES = dict(public_callables())


def parameters(obj):
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters if p not in ("self", "cls")]


def test_every_module_is_small_enough_to_read_in_one_sitting():
    sizes = {p.relative_to(PACKAGE).as_posix(): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {k: v for k, v in sizes.items() if v > 420} == {}


def test_the_walk_finds_the_public_api():
    assert len(CALLABLES) > 80
    assert CALLABLES["retention_kit.clv.bgnbd.BetaGeo.fit"][1]                   # a method


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_numpydoc_sections(name):
    obj, is_method = CALLABLES[name]
    doc = inspect.getdoc(obj) or ""
    assert doc, "no docstring"
    sections = {line.strip() for line, under in zip(doc.splitlines(), doc.splitlines()[1:]) if set(under.strip()) == {"-"}}
    needed = set()
    if parameters(obj):
        needed |= {"Parameters"}
    if not inspect.isclass(obj):
        needed |= {"Returns"}
        if parameters(obj):
            needed |= {"Raises"}
    if not is_method:                  # a method's examples are in its class's docstring
        needed |= {"Examples"}
    assert needed <= sections, f"missing {sorted(needed - sections)}"


def test_the_course_lab_settings_name_real_settings_and_save_widget_state():
    """Each override names a plugin and a property that JupyterLab's installed schemas define (a typo is ignored
    by JupyterLab without a word), and widget state is saved, so that an explorer in a saved notebook reopens
    in its last state instead of "model not found"."""
    import json
    overrides = json.loads((ROOT / "tools" / "jupyterlab_overrides.json").read_text())
    share = Path(sys.prefix) / "share" / "jupyter"
    for plugin, settings in overrides.items():
        package, name = plugin.rsplit(":", 1)
        schemas = [share / "lab" / "schemas" / package / f"{name}.json",
                   *share.glob(f"labextensions/{package}/schemas/{package}/{name}.json")]
        found = [s for s in schemas if s.exists()]
        assert found, f"no installed JupyterLab schema for {plugin}"
        properties = json.loads(found[0].read_text())["properties"]
        assert set(settings) <= set(properties), f"{plugin}: unknown settings {set(settings) - set(properties)}"
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True
