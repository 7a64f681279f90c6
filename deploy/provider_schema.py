"""Checks terraform/ against the Google and random providers' schemas, offline.

`terraform validate` needs the provider plugins, which only the Terraform registry serves, and it is out
of reach here. npm has their schemas, though: the CDKTF bindings that tools/terraform-schema pins
(hashicorp/google 6.50.0, hashicorp/random 3.7.2) describe, in each package's .jsii assembly, every
resource, data source and provider as a class whose `config` interface holds a property per argument and
nested block. A nested block's property is typed with the block's own interface (or a list of them); a
property Terraform requires is not `optional`. A property's HCL name is the anchor of its Terraform
Registry link, since cdktf renames some (`build` is `buildAttribute`, `detect_md5hash` `detectMd5Hash`),
else its camelCase name in snake_case. The meta-arguments are inherited from cdktf's TerraformMetaArguments,
an interface of another assembly, so no config interface lists them.

Only names are checked, never values: every argument and block a `resource`, `data` or `provider` block
sets must be known to the provider, and every one it requires must be set (a `dynamic` block counts as its
block, its `content` as the block's body). A google-beta resource is checked against hashicorp/google, so
an argument only the beta provider knows is reported. A type of any other provider is not checked.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import hcl2

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools" / "terraform-schema"
ASSEMBLIES = tuple(
    TOOLS / "node_modules" / "@cdktf" / package / ".jsii"
    for package in ("provider-google", "provider-random")
)
# The assemblies weigh 100 MB and take seconds to read; their reduction, under 1 MB, is kept beside them, so
# `npm ci` discards it with them.
CACHE = TOOLS / "node_modules" / ".provider-schema.json"

KINDS = {
    "cdktf.TerraformResource": "resource",
    "cdktf.TerraformDataSource": "data",
    "cdktf.TerraformProvider": "provider",
}
META_ARGUMENTS = {
    "resource": frozenset(
        {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
    ),
    "data": frozenset({"count", "for_each", "depends_on", "lifecycle", "provider"}),
    # `alias` is in the provider's config interface.
    "provider": frozenset(),
}
# "Represents a {@link https://registry.terraform.io/.../docs/resources/pubsub_topic google_pubsub_topic}."
TYPE_LINK = re.compile(r"\{@link \S+ (\w+)\}")
ARGUMENT_LINK = re.compile(r"Docs at Terraform Registry: \{@link \S+#(\w+) ")


class BlockSchema(TypedDict):
    arguments: list[str]
    blocks: dict[str, BlockSchema]
    required: list[str]


# By kind (resource, data, provider), then by type (google_pubsub_topic; google for a provider).
Schema = dict[str, dict[str, BlockSchema]]
Body = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    file: Path
    address: str  # resource google_pubsub_topic.events
    path: str  # the argument or block, through its enclosing blocks: push_config.oidc_token.audience
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.address}: {self.path}: {self.message}"


def _hcl_name(prop: dict[str, Any]) -> str:
    docs = prop["docs"]
    link = ARGUMENT_LINK.search(f"{docs.get('summary', '')} {docs.get('remarks', '')}")
    return link.group(1) if link else re.sub(r"(?<!^)(?=[A-Z])", "_", prop["name"]).lower()


def _block_interface(reference: dict[str, Any], types: dict[str, Any]) -> str | None:
    """The interface a property's type holds, directly or as a list's element: the property is a block."""
    if "fqn" in reference:
        return reference["fqn"] if types.get(reference["fqn"], {}).get("kind") == "interface" else None
    collection = reference.get("collection")
    if collection is not None:
        return _block_interface(collection["elementtype"], types) if collection["kind"] == "array" else None
    members = (_block_interface(member, types) for member in reference.get("union", {}).get("types", []))
    return next((member for member in members if member), None)


def _block(interface: str, types: dict[str, Any]) -> BlockSchema:
    schema = BlockSchema(arguments=[], blocks={}, required=[])
    for prop in types[interface].get("properties", []):
        name = _hcl_name(prop)
        nested = _block_interface(prop["type"], types)
        if nested is None:
            schema["arguments"].append(name)
        else:
            schema["blocks"][name] = _block(nested, types)
        if not prop.get("optional"):
            schema["required"].append(name)
    return schema


def _reduce(assembly: Path) -> Schema:
    types: dict[str, Any] = json.loads(assembly.read_bytes())["types"]
    schema: Schema = {kind: {} for kind in KINDS.values()}
    for declared in types.values():
        kind = KINDS.get(declared.get("base", ""))
        if kind is None:
            continue
        link = TYPE_LINK.search(declared["docs"]["summary"])
        assert link is not None, f"{declared['fqn']}: no Terraform type in its summary"
        config = declared["initializer"]["parameters"][-1]["type"]["fqn"]
        schema[kind][link.group(1)] = _block(config, types)
    return schema


@cache
def load() -> Schema:
    """Every resource, data source and provider the assemblies describe, from the cache if it is current."""
    missing = [str(assembly) for assembly in ASSEMBLIES if not assembly.is_file()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)}: `make deploy-check` installs tools/terraform-schema")
    stamp = [[str(assembly), assembly.stat().st_size, assembly.stat().st_mtime_ns] for assembly in ASSEMBLIES]
    try:
        cached = json.loads(CACHE.read_text())
        if cached["assemblies"] == stamp:
            current: Schema = cached["schema"]
            return current
    except (OSError, ValueError, KeyError):
        pass
    schema: Schema = {kind: {} for kind in KINDS.values()}
    for assembly in ASSEMBLIES:
        for kind, types in _reduce(assembly).items():
            schema[kind].update(types)
    # Renamed into place whole, since two test workers may write it at once.
    with tempfile.NamedTemporaryFile("w", dir=CACHE.parent, suffix=".tmp", delete=False) as handle:
        json.dump({"assemblies": stamp, "schema": schema}, handle)
    os.replace(handle.name, CACHE)
    return schema


def _unquote(label: str) -> str:
    return label.strip('"')


def _blocks(parsed: Body, kind: str) -> Iterator[tuple[str, str, Body]]:
    """(type, address, body) of each block of a kind in a parsed file."""
    for entry in parsed.get(kind, []):
        for label, content in entry.items():
            type_name = _unquote(label)
            if kind == "provider":
                yield type_name, f"provider {type_name}", content
            else:
                for name, body in content.items():
                    yield type_name, f"{kind} {type_name}.{_unquote(name)}", body


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and item.get("__is_block__") for item in value)
    )


def _check_body(
    body: Body, schema: BlockSchema, path: str, allowed: frozenset[str]
) -> Iterator[tuple[str, str]]:
    """(path, message) of each problem of a block's body and of the blocks it holds."""
    present: set[str] = set()
    written: list[tuple[str, list[Body]]] = []
    for key, value in body.items():
        if key.startswith("__") or key in allowed:
            continue
        if key == "dynamic":
            written += [
                (_unquote(label), dynamic.get("content", []))
                for entry in value
                for label, dynamic in entry.items()
            ]
        elif _is_block(value):
            written.append((key, value))
        # The jsii does not tell a block from an argument of object type, so either may be set with `=`.
        elif key in schema["arguments"] or key in schema["blocks"]:
            present.add(key)
        else:
            yield path + key, "unknown argument"
    for name, bodies in written:
        nested = schema["blocks"].get(name)
        if nested is None:
            yield path + name, "an argument, not a block" if name in schema["arguments"] else "unknown block"
            continue
        present.add(name)
        for content in bodies:
            yield from _check_body(content, nested, f"{path}{name}.", frozenset())
    for name in schema["required"]:
        if name not in present:
            yield path + name, f"required {'block' if name in schema['blocks'] else 'argument'} not set"


def check(directory: Path) -> list[Problem]:
    """What the providers would reject in the .tf files under a directory, its subdirectories included."""
    schema = load()
    providers = set(schema["provider"])
    problems: list[Problem] = []
    for path in sorted(directory.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        with path.open() as handle:
            parsed: Body = hcl2.load(handle)
        for kind, types in schema.items():
            for type_name, address, body in _blocks(parsed, kind):
                block = types.get(type_name)
                if block is not None:
                    found = _check_body(body, block, "", META_ARGUMENTS[kind])
                    problems += [Problem(path, address, where, message) for where, message in found]
                elif kind != "provider" and type_name.split("_")[0] in providers:
                    problems.append(Problem(path, address, type_name, f"no such {kind} type in its provider"))
    return problems
