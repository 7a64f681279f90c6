"""Builds the one source bundle every Cloud Function deploys from (`make package`).

Cloud Functions' Python runtime wants a `main.py` and a `requirements.txt` at the root of the source.
The bundle holds exactly what runs in the cloud: `functions/`, `shared/` and `manifest.yaml`, a root
`main.py` that exposes every manifest entry point, and a `requirements.txt` exported from `uv.lock`
without the `local` and `dev` groups (no tests, emulators, benchmarks or dev tools). It is reproducible
(sorted entries, fixed timestamps and permissions), so the same inputs give the same archive hash, and
Terraform names the uploaded object by that hash: a new bundle redeploys the functions.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from shared.application.registry import ENTRY_POINTS as COMMAND_ENTRY_POINTS
from shared.bus.manifest import Manifest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("functions", "shared")
LAZY_ENTRY_POINTS = "ENTRY_POINTS"  # a source's dict literal of entry points its __getattr__ serves
ROOT_FILES = ("manifest.yaml",)
DEFAULT_OUTPUT = ROOT / "dist" / "kiroku-functions.zip"
DEFAULT_UV = ROOT / ".tools" / "bin" / "uv"
# The earliest time a zip header can hold: no entry carries the time it was built.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
REGULAR_FILE_MODE = 0o100644
SKIPPED_DIRECTORIES = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


class BundleError(RuntimeError):
    """The bundle cannot be built; the message says what is missing."""


def source_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file the functions run from, as (name in the archive, path), skipping caches and dotfiles."""
    for package in PACKAGES:
        for directory, subdirectories, files in os.walk(root / package):
            subdirectories[:] = [
                name
                for name in subdirectories
                if name not in SKIPPED_DIRECTORIES and not name.startswith(".")
            ]
            for name in files:
                path = Path(directory) / name
                if not name.startswith(".") and path.suffix not in SKIPPED_SUFFIXES:
                    yield path.relative_to(root).as_posix(), path
    for name in ROOT_FILES:
        yield name, root / name


def defined_names(source: Path) -> set[str]:
    """The names a module defines or imports at its top level, read without importing it."""
    names: set[str] = set()
    for node in ast.parse(source.read_text(), filename=str(source)).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
            if node.target.id == LAZY_ENTRY_POINTS and isinstance(node.value, ast.Dict):
                # Entry points served lazily by the module's __getattr__ (PEP 562), keyed by name.
                names.update(
                    key.value
                    for key in node.value.keys
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                )
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def root_main(manifest: Manifest, root: Path) -> str:
    """The bundle's `main.py`: every manifest entry point, imported from the manifest's `source`."""
    source = Path(manifest.source)
    if source.suffix != ".py" or source.parts[0] not in PACKAGES:
        raise BundleError(f"manifest source {manifest.source!r} is not a module inside {', '.join(PACKAGES)}")
    # Command functions' entry points are the command registry's, served by the source's __getattr__.
    defined = defined_names(root / source) | set(COMMAND_ENTRY_POINTS)
    missing = [
        f"{spec.name} ({spec.entry_point})" for spec in manifest.functions if spec.entry_point not in defined
    ]
    if missing:
        raise BundleError(f"{manifest.source} does not define the entry points of: {', '.join(missing)}")
    module = ".".join(source.with_suffix("").parts)
    entry_points = sorted({spec.entry_point for spec in manifest.functions})
    return "\n".join(
        [
            '"""Every entry point of manifest.yaml: Cloud Functions loads its target from this file.',
            "",
            "Written by deploy/bundle.py; the code is in the modules it imports.",
            '"""',
            "",
            "from importlib import import_module",
            "from typing import Any",
            "",
            f'_SOURCE = import_module("{module}")',
            "",
            "",
            "def __getattr__(name: str) -> Any:  # PEP 562: the source may import each entry point lazily",
            "    return getattr(_SOURCE, name)",
            "",
            f"__all__ = {json.dumps(entry_points)}",
            "",
        ]
    )


def requirements(root: Path, uv: Path) -> str:
    """The runtime dependencies pinned by uv.lock, with their hashes: no `local` or `dev` group."""
    command = [
        str(uv),
        "export",
        "--frozen",
        "--no-dev",
        "--no-default-groups",
        "--no-emit-project",
        "--format",
        "requirements.txt",
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BundleError(f"{' '.join(command)} failed:\n{result.stderr}")
    return result.stdout


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permission bits below are read as such
    info.external_attr = REGULAR_FILE_MODE << 16
    return info


def build(output: Path = DEFAULT_OUTPUT, root: Path = ROOT, uv: Path = DEFAULT_UV) -> str:
    """Write the bundle to `output` and return its SHA-256."""
    manifest = Manifest.load(root / "manifest.yaml")
    contents = {name: path.read_bytes() for name, path in source_files(root)}
    contents["main.py"] = root_main(manifest, root).encode()
    contents["requirements.txt"] = requirements(root, uv).encode()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compresslevel=9) as archive:
        for name in sorted(contents):
            archive.writestr(_entry(name), contents[name])
    partial.replace(output)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.bundle", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the zip")
    parser.add_argument("--uv", type=Path, default=DEFAULT_UV, help="the uv that exports uv.lock")
    arguments = parser.parse_args(argv)
    try:
        digest = build(arguments.output, uv=arguments.uv)
    except BundleError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    print(f"{arguments.output} sha256={digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
