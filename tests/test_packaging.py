"""The package as a user gets it: metadata, the built wheel's contents, and an install into a
fresh virtualenv that imports it and runs its console script.

Everything is offline. The wheel is built from a copy of the sources with the setuptools of
the dev virtualenv (``--no-build-isolation``: an isolated build would download setuptools). The
fresh virtualenv has no pip and no packages of its own; the wheel is installed into it with the
dev virtualenv's pip (``--python``, ``--no-deps --no-index``), and a ``.pth`` file lends it the
dev virtualenv's site-packages for the dependencies. Lines of a ``.pth`` file only extend
``sys.path`` (``.pth`` files found there are not processed), so the dev install's editable finder
never loads: ``import vdm_resources`` can only find the installed wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
from packaging.requirements import Requirement

import vdm_resources

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vdm_resources"


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def source_files() -> set[str]:
    """Every file the wheel must carry, as paths inside it."""
    found = {
        p.relative_to(ROOT).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".json", ".typed")
    }
    assert "vdm_resources/py.typed" in found
    return found


def test_metadata() -> None:
    project = pyproject()["project"]
    assert project["version"] == vdm_resources.__version__
    assert "Typing :: Typed" in project["classifiers"]
    for dep in project["dependencies"]:
        spec = Requirement(dep).specifier
        assert any(s.operator in (">=", "==", "~=") for s in spec), dep
        assert any(s.operator in ("<", "==", "~=") for s in spec), f"{dep}: no upper bound"
    data = pyproject()["tool"]["setuptools"]["package-data"]["vdm_resources"]
    assert {"py.typed", "emulator/data/*.json"} <= set(data)


def test_console_scripts_resolve() -> None:
    for name, target in pyproject()["project"]["scripts"].items():
        module, _, attr = target.partition(":")
        func = getattr(__import__(module, fromlist=[attr]), attr)
        assert callable(func), name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "vdm_resources", ignore=shutil.ignore_patterns("__pycache__"))
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "--quiet", "-w", str(work / "dist"), str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        "building the wheel failed (the dev virtualenv needs setuptools>=77: run "
        f"scripts/setup.sh)\n{proc.stdout}\n{proc.stderr}"
    )
    [built] = (work / "dist").glob("vdm_resources-*.whl")
    yield built


def test_wheel_contents(wheel: Path) -> None:
    version = vdm_resources.__version__
    assert wheel.name == f"vdm_resources-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"vdm_resources-{version}.dist-info"
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    missing = source_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert not [n for n in names if not n.startswith(("vdm_resources/", info))]
    assert f"Version: {version}" in metadata
    assert "License-Expression: Apache-2.0" in metadata
    assert "Provides-Extra: emulator" in metadata
    for dep in pyproject()["project"]["dependencies"]:
        name = Requirement(dep).name
        assert any(line.startswith(f"Requires-Dist: {name}") for line in metadata.splitlines()), dep
    assert "vdm-emulator = vdm_resources.emulator.cli:main" in entry_points


def test_wheel_installs_and_imports_in_a_fresh_virtualenv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    install += ["--no-deps", "--no-index", str(wheel)]
    proc = subprocess.run(install, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr

    probe = """
import importlib.metadata as md, importlib.resources as res, json
from packaging.requirements import Requirement
import vdm_resources
from vdm_resources import AccountVdmAttributes, VdmRecommendations
from vdm_resources.emulator import testing
unmet = [
    r for r in map(Requirement, md.requires("vdm-resources") or [])
    if r.marker is None and md.version(r.name) not in r.specifier
]
print(json.dumps({
    "file": vdm_resources.__file__,
    "version": md.version("vdm-resources"),
    "typed": res.files("vdm_resources").joinpath("py.typed").is_file(),
    "data": res.files("vdm_resources.emulator.data").joinpath("recommendations.json").is_file(),
    "unmet": [str(r) for r in unmet],
}))
"""
    out = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert Path(found["file"]).is_relative_to(site), found["file"]
    assert found["version"] == vdm_resources.__version__
    assert found["typed"] and found["data"]
    assert found["unmet"] == []

    script = subprocess.run(
        [str(venv / "bin" / "vdm-emulator"), "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 0, script.stderr
    assert "--seed FILE" in script.stdout
