"""Which topics each entry point's code can publish to, read from the source without running it.

The cloud lets a function publish only to the topics its manifest entry lists (`publishes`), so the list
must cover what the code does. This reads every module of the given packages and follows references from
an entry point: a top-level function, class (all of it) or assignment reaches every top-level definition
whose name it uses, through imports and module attributes. Every `.publish(topic, ...)` or
`.publish_many(topic, ...)` in a reached definition (or such a method handed to a call, as
`asyncio.to_thread(publisher.publish, topic, envelope)` does) is a publish, and its topic must be a string
the source spells out: a literal, a module constant (imported or not), or a parameter of the enclosing
function that every reached caller passes as one of those. Anything else is reported as unresolvable
rather than guessed, so a publish the scan cannot read fails the test instead of passing it.

It over-approximates on purpose (a class counts whole, a name used counts as called); it cannot see
calls made through names it never meets (`getattr`, `import_module`), which Kiroku uses only to find the
entry point itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PUBLISH_METHODS = frozenset({"publish", "publish_many"})

Node = tuple[str, str]  # (module, top-level name)


class Unresolvable(Exception):
    """A publish whose topic the scan cannot read from the source."""


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    definitions: dict[str, list[ast.stmt]] = field(default_factory=dict)
    imported: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # alias -> (module, name)
    constants: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Publish:
    """One publish call site and the topics it can publish to."""

    module: str
    line: int
    topics: frozenset[str]


class Source:
    """Every module of `packages` under `root`, indexed for the reference walk."""

    def __init__(self, root: Path, packages: Iterable[str], transport: Iterable[str] = ()) -> None:
        self.modules: dict[str, Module] = {}
        # Modules that implement publishing itself (the Publisher): their publish calls forward a topic
        # their caller chose, and the caller's call is the one that counts.
        self.transport = frozenset(transport)
        for package in packages:
            for path in sorted((root / package).rglob("*.py")):
                parts = path.relative_to(root).with_suffix("").parts
                name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                self.modules[name] = self._index(name, path)

    def _index(self, name: str, path: Path) -> Module:
        module = Module(name, path, ast.parse(path.read_text(), filename=str(path)))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for statement in module.tree.body:
            for target in _defined_names(statement):
                module.definitions.setdefault(target, []).append(statement)
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                value = statement.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    for target in _defined_names(statement):
                        module.constants[target] = value.value
            elif isinstance(statement, ast.ImportFrom):
                source = _absolute(statement, package)
                for alias in statement.names:
                    module.imported[alias.asname or alias.name] = (source, alias.name)
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        module.imported[alias.asname] = (alias.name, None)
                    else:
                        top = alias.name.split(".")[0]
                        module.imported[top] = (top, None)
        return module

    # Name resolution ----------------------------------------------------------------------------------

    def resolve(self, module: str, name: str, seen: frozenset[Node] = frozenset()) -> Node | str | None:
        """A name used in `module`: the top-level definition it is, a module (its name), or None."""
        if (module, name) in seen or module not in self.modules:
            return None
        indexed = self.modules[module]
        if name in indexed.definitions:
            return (module, name)
        if name in indexed.imported:
            source, imported = indexed.imported[name]
            if imported is None:
                return source if source in self.modules or self._is_package(source) else None
            if f"{source}.{imported}" in self.modules:
                return f"{source}.{imported}"
            return self.resolve(source, imported, seen | {(module, name)})
        return None

    def _is_package(self, name: str) -> bool:
        return any(module.startswith(name + ".") for module in self.modules)

    def constant(self, module: str, name: str) -> str | None:
        """The string a module-level name stands for, following imports; None if it is not one."""
        found = self.resolve(module, name)
        if isinstance(found, tuple):
            return self.modules[found[0]].constants.get(found[1])
        return None

    # The reference walk -------------------------------------------------------------------------------

    def references(self, node: Node) -> set[Node]:
        module, name = node
        found: set[Node] = set()
        for statement in self.modules[module].definitions[name]:
            for child in ast.walk(statement):
                target: Node | str | None = None
                if isinstance(child, ast.Name):
                    target = self.resolve(module, child.id)
                elif isinstance(child, ast.Attribute):
                    target = self._attribute(module, child)
                if isinstance(target, tuple) and target != node:
                    found.add(target)
        return found

    def _attribute(self, module: str, node: ast.Attribute) -> Node | str | None:
        """`package.module.name` or `module.name`, where the base names a module."""
        base: Node | str | None
        if isinstance(node.value, ast.Name):
            base = self.resolve(module, node.value.id)
        elif isinstance(node.value, ast.Attribute):
            base = self._attribute(module, node.value)
        else:
            return None
        if not isinstance(base, str):
            return None
        if f"{base}.{node.attr}" in self.modules:
            return f"{base}.{node.attr}"
        return self.resolve(base, node.attr)

    def reached(self, entry: Node) -> set[Node]:
        """Every top-level definition the entry point's definition reaches, itself included."""
        if entry[1] not in self.modules[entry[0]].definitions:
            raise KeyError(f"{entry[0]} defines no {entry[1]}")
        reached = {entry}
        pending = [entry]
        while pending:
            for found in self.references(pending.pop()):
                if found not in reached:
                    reached.add(found)
                    pending.append(found)
        return reached

    # Publish sites ------------------------------------------------------------------------------------

    def publishes(self, entry: Node) -> list[Publish]:
        """Every publish the entry point's code can make, with the topics each can name."""
        reached = self.reached(entry)
        found = []
        for node in sorted(reached):
            if node[0] in self.transport:
                continue
            for function, call, argument in self._sites(node):
                topics = self._topics(node, function, argument, reached)
                found.append(Publish(node[0], call.lineno, frozenset(topics)))
        return found

    def topics(self, entry: Node) -> set[str]:
        return {topic for publish in self.publishes(entry) for topic in publish.topics}

    def _sites(self, node: Node) -> Iterator[tuple[ast.AST | None, ast.Call, ast.expr]]:
        """(enclosing function, call, topic argument) of each publish in a definition."""
        for statement in self.modules[node[0]].definitions[node[1]]:
            outer = statement if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) else None
            for function, child in _walk_with_function(statement, outer):
                if not isinstance(child, ast.Attribute) or child.attr not in PUBLISH_METHODS:
                    continue
                call = _parent_call(statement, child)
                if call is None:
                    raise Unresolvable(f"{node[0]}:{child.lineno}: .{child.attr} used outside a call")
                if call.func is child:
                    argument = call.args[0] if call.args else _keyword(call, "topic")
                else:
                    index = next((i for i, arg in enumerate(call.args) if arg is child), None)
                    if index is None or index + 1 >= len(call.args):
                        raise Unresolvable(f"{node[0]}:{child.lineno}: .{child.attr} passed without a topic")
                    argument = call.args[index + 1]
                if argument is None:
                    raise Unresolvable(f"{node[0]}:{child.lineno}: .{child.attr} without a topic")
                yield function, call, argument

    def _topics(
        self, node: Node, function: ast.AST | None, argument: ast.expr, reached: set[Node]
    ) -> set[str]:
        module = node[0]
        where = f"{module}:{argument.lineno}"
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return {argument.value}
        if isinstance(argument, ast.Name):
            parameter = _parameter_index(function, argument.id)
            if parameter is not None and isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                return self._passed(node, function, parameter, reached, where)
            value = self.constant(module, argument.id)
            if value is not None:
                return {value}
        if isinstance(argument, ast.Attribute):
            target = self._attribute(module, argument)
            if isinstance(target, tuple) and target[1] in self.modules[target[0]].constants:
                return {self.modules[target[0]].constants[target[1]]}
        raise Unresolvable(f"{where}: the topic {ast.unparse(argument)!r} is not a string the source names")

    def _passed(
        self,
        node: Node,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        parameter: tuple[int, str],
        reached: set[Node],
        where: str,
    ) -> set[str]:
        """The topics reached callers pass to a top-level function's topic parameter."""
        if node[1] != function.name:
            raise Unresolvable(f"{where}: the topic is a parameter of a method or nested function")
        index, name = parameter
        topics: set[str] = set()
        for caller in reached:
            for statement in self.modules[caller[0]].definitions[caller[1]]:
                for child in ast.walk(statement):
                    if not isinstance(child, ast.Call) or self._callee(caller[0], child.func) != node:
                        continue
                    argument = child.args[index] if index < len(child.args) else _keyword(child, name)
                    if argument is None:
                        raise Unresolvable(f"{caller[0]}:{child.lineno}: {name} not passed")
                    topics |= self._topics(caller, None, argument, reached)
        if not topics:
            raise Unresolvable(f"{where}: no reached caller passes the topic")
        return topics

    def _callee(self, module: str, func: ast.expr) -> Node | str | None:
        if isinstance(func, ast.Name):
            return self.resolve(module, func.id)
        if isinstance(func, ast.Attribute):
            return self._attribute(module, func)
        return None


def _defined_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [target.id for target in statement.targets if isinstance(target, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    return []


def _absolute(statement: ast.ImportFrom, package: str) -> str:
    if not statement.level:
        return statement.module or ""
    base = package.split(".")
    base = base[: len(base) - statement.level + 1]
    return ".".join([*base, *([statement.module] if statement.module else [])])


def _walk_with_function(node: ast.AST, function: ast.AST | None) -> Iterator[tuple[ast.AST | None, ast.AST]]:
    """Every node under `node`, with the innermost function that encloses it."""
    for child in ast.iter_child_nodes(node):
        inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) else function
        yield function, child
        yield from _walk_with_function(child, inner)


def _parent_call(root: ast.AST, target: ast.AST) -> ast.Call | None:
    for node in ast.walk(root):
        if isinstance(node, ast.Call) and (node.func is target or any(arg is target for arg in node.args)):
            return node
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _parameter_index(function: ast.AST | None, name: str) -> tuple[int, str] | None:
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    positional = [*function.args.posonlyargs, *function.args.args]
    for index, argument in enumerate(positional):
        if argument.arg == name:
            return index, name
    if any(argument.arg == name for argument in function.args.kwonlyargs):
        return 1 << 30, name  # keyword-only: never positional
    return None
