"""Declarative checks: a rule written in YAML, compiled once into a Python function.

A rule has an optional `applies_if` condition (false: not applicable) and a `require`
condition (true: pass, false: fail). Conditions nest; each is a mapping with exactly one of

- `all`, `any`, `none` (a list of conditions) or `not` (one condition);
- `path` plus one comparison: `eq ne lt le gt ge in not_in regex exists older_than newer_than`;
- `path` to a list plus `all`, `any` or `none` (a condition on each element, whose paths are
  relative to the element; `.` is the element itself), or `count` (a comparison on how many
  elements there are, or how many match `where`).

Paths are dotted (`encryption.rules`), may index lists (`rules[0]`) and, for list conditions,
fan out with wildcards (`vpcs[*].subnets[*]`). A path starting with `@` reads the evidence
item's metadata (`@valid_until`, `@effective_from`, `@effective_to`, `@collected_at`, `@kind`,
`@key`).

The compiler emits straight-line Python source (lookups in try blocks, no per-evaluation
objects) and compiles it with `compile()`, so a declarative check runs close to the speed of
the same check written by hand. See docs/checks.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from attestly.checks.metadata import CheckDefinitionError

Step = str | int
_MISSING = object()
_LOOKUP = (KeyError, IndexError, TypeError)
_NUM = (int, float)
_META = {"kind", "key", "hash", "collected_at", "effective_from", "effective_to", "valid_until"}
_ORDER = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_COMPARISONS = {
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "regex",
    "exists",
    "older_than",
    "newer_than",
}
_DURATION = re.compile(r"^([0-9]{1,6})([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_STEP = re.compile(r"([^.\[\]]+)|\[(\*|-?[0-9]+)\]")
MAX_DEPTH = 12
_NEST_LIMIT = 8  # longer lists compile to a flat for/break block instead of nested ifs


def parse_duration(text: Any, where: str) -> dt.timedelta:
    """`90d`, `12h`, `2w`, `30m`, `45s`."""
    match = _DURATION.match(str(text)) if isinstance(text, str) else None
    if match is None:
        raise CheckDefinitionError(f"{where}: {text!r} is not a duration like 90d, 12h or 2w")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_path(path: Any, where: str) -> tuple[str | None, list[Step]]:
    """Split a path into (metadata field or None, steps). `*` marks a wildcard step."""
    if not isinstance(path, str) or not path:
        raise CheckDefinitionError(f"{where}: path must be a non-empty string")
    if path == ".":
        return None, []
    meta = None
    if path.startswith("@"):
        meta, _, rest = path[1:].partition(".")
        if meta not in _META:
            raise CheckDefinitionError(
                f"{where}: unknown metadata field @{meta}; known: {', '.join(sorted(_META))}"
            )
        path = rest
        if not path:
            return meta, []
    steps: list[Step] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and steps:
            pos += 1
        match = _STEP.match(path, pos)
        if match is None or match.end() == pos:
            raise CheckDefinitionError(f"{where}: cannot parse path {path!r} at {pos}")
        name, index = match.groups()
        steps.append(name if name is not None else ("*" if index == "*" else int(index)))
        pos = match.end()
    return meta, steps


def _to_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def _older(value: Any, now: dt.datetime, delta: dt.timedelta) -> bool:
    when = _to_datetime(value)
    return when is not None and when < now - delta


def _newer(value: Any, now: dt.datetime, delta: dt.timedelta) -> bool:
    when = _to_datetime(value)
    return when is not None and when >= now - delta


def _many(base: Any, steps: list[Step]) -> list[Any]:
    """Every value a wildcard path reaches, flattened; missing branches are skipped."""
    current = [base]
    for step in steps:
        following: list[Any] = []
        for value in current:
            if step == "*":
                if isinstance(value, list):
                    following.extend(value)
            elif isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    following.append(value[step])
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
        current = following
    return current


class _Compiler:
    def __init__(self, check_id: str) -> None:
        self.check_id = check_id
        self.lines: list[str] = []
        self.names: dict[str, Any] = {
            "_M": _MISSING,
            "_LOOKUP": _LOOKUP,
            "_NUM": _NUM,
            "_older": _older,
            "_newer": _newer,
            "_many": _many,
            "_ONCE": (None,),
        }
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        name = self.fresh("_k")
        self.names[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def lookup(self, base: str, meta: str | None, steps: list[Step], ind: int, where: str) -> str:
        """Emit code that puts the value at a path (or _M) into a new variable."""
        target = self.fresh("v")
        if meta is not None:
            if base != "r":
                raise CheckDefinitionError(f"{where}: @{meta} only works at the top level")
            root = f"ev.{meta}"
        else:
            root = base
        if not steps:
            self.emit(ind, f"{target} = {root}")
            if meta is not None:  # an empty metadata field counts as missing
                self.emit(ind, f"if {target} is None:")
                self.emit(ind + 1, f"{target} = _M")
            return target
        if "*" in steps:
            raise CheckDefinitionError(
                f"{where}: a comparison needs one value; use any/all/"
                "none or count for a path with [*]"
            )
        access = root + "".join(f"[{step!r}]" for step in steps)
        self.emit(ind, "try:")
        self.emit(ind + 1, f"{target} = {access}")
        self.emit(ind, "except _LOOKUP:")
        self.emit(ind + 1, f"{target} = _M")
        return target

    def sequence(self, base: str, path: Any, ind: int, where: str) -> str:
        """Emit code that puts the list at a path (or _M) into a new variable."""
        meta, steps = parse_path(path, where)
        if "*" not in steps:
            return self.lookup(base, meta, steps, ind, where)
        root = f"ev.{meta}" if meta is not None else base
        target = self.fresh("s")
        self.emit(ind, f"{target} = _many({root}, {self.const(steps)})")
        return target

    def comparison(self, value: str, op: str, arg: Any, where: str) -> str:
        if op == "exists":
            if not isinstance(arg, bool):
                raise CheckDefinitionError(f"{where}: exists takes true or false")
            return f"{value} is not _M" if arg else f"{value} is _M"
        if op in ("eq", "ne"):
            if arg is True or arg is False or arg is None:
                same = f"{value} is {arg!r}"
            elif isinstance(arg, int | float):
                same = f"({value}.__class__ in _NUM and {value} == {self.const(arg)})"
            else:
                same = f"{value} == {self.const(arg)}"
            return same if op == "eq" else f"({value} is not _M and not {same})"
        if op in _ORDER:
            if isinstance(arg, bool) or not isinstance(arg, int | float | str):
                raise CheckDefinitionError(f"{where}: {op} needs a number or a string")
            guard = (
                f"{value}.__class__ in _NUM"
                if isinstance(arg, int | float)
                else (f"{value}.__class__ is str")
            )
            return f"({guard} and {value} {_ORDER[op]} {self.const(arg)})"
        if op in ("in", "not_in"):
            if not isinstance(arg, list) or not arg:
                raise CheckDefinitionError(f"{where}: {op} needs a non-empty list")
            if all(isinstance(a, str) for a in arg):
                test = f"({value}.__class__ is str and {value} in {self.const(frozenset(arg))})"
            else:
                test = f"{value} in {self.const(tuple(arg))}"
            return test if op == "in" else f"({value} is not _M and not {test})"
        if op == "regex":
            if not isinstance(arg, str):
                raise CheckDefinitionError(f"{where}: regex needs a string")
            try:
                pattern = re.compile(arg)
            except re.error as exc:
                raise CheckDefinitionError(f"{where}: bad regex {arg!r}: {exc}") from exc
            return (
                f"({value}.__class__ is str and {self.const(pattern)}.search({value}) is not None)"
            )
        delta = self.const(parse_duration(arg, where))
        helper = "_older" if op == "older_than" else "_newer"
        return f"{helper}({value}, ctx.now, {delta})"

    def cond(self, node: Any, base: str, ind: int, where: str, depth: int = 0) -> str:
        """Emit code for one condition; return the name of the variable holding its truth."""
        if depth > MAX_DEPTH:
            raise CheckDefinitionError(f"{where}: conditions nest deeper than {MAX_DEPTH}")
        if not isinstance(node, dict) or not node:
            raise CheckDefinitionError(f"{where}: a condition must be a non-empty mapping")
        out = self.fresh("o")
        if "path" not in node:
            return self.combinator(node, base, ind, where, depth, out)
        extra = set(node) - {"path", "where"}
        if len(extra) != 1:
            raise CheckDefinitionError(
                f"{where}: a path condition needs exactly one operator, "
                f"got {sorted(extra) or 'none'}"
            )
        op = extra.pop()
        if "where" in node and op != "count":
            raise CheckDefinitionError(f"{where}: `where` only goes with `count`")
        if op in ("all", "any", "none", "count"):
            return self.quantifier(node, op, base, ind, where, depth, out)
        if op not in _COMPARISONS:
            raise CheckDefinitionError(
                f"{where}: unknown operator {op!r}; known: "
                f"{', '.join(sorted(_COMPARISONS | {'all', 'any', 'none', 'count'}))}"
            )
        meta, steps = parse_path(node["path"], where)
        value = self.lookup(base, meta, steps, ind, where)
        self.emit(ind, f"{out} = {self.comparison(value, op, node[op], f'{where}.{op}')}")
        return out

    def combinator(
        self, node: dict[str, Any], base: str, ind: int, where: str, depth: int, out: str
    ) -> str:
        if len(node) != 1:
            raise CheckDefinitionError(f"{where}: use one of all/any/none/not, or a path")
        ((op, arg),) = node.items()
        if op == "not":
            inner = self.cond(arg, base, ind, f"{where}.not", depth + 1)
            self.emit(ind, f"{out} = not {inner}")
            return out
        if op not in ("all", "any", "none") or not isinstance(arg, list) or not arg:
            raise CheckDefinitionError(f"{where}: {op!r} is not all/any/none/not with conditions")
        stop_when = "not " if op == "all" else ""  # all stops at a false child, any/none at a true
        result_on_stop = {"all": "False", "any": "True", "none": "False"}[op]
        self.emit(ind, f"{out} = {'False' if op == 'any' else 'True'}")
        if len(arg) <= _NEST_LIMIT:
            level = ind
            for i, child in enumerate(arg):
                var = self.cond(child, base, level, f"{where}.{op}[{i}]", depth + 1)
                self.emit(level, f"if {stop_when}{var}:")
                self.emit(level + 1, f"{out} = {result_on_stop}")
                if i < len(arg) - 1:
                    self.emit(level, "else:")
                    level += 1
            return out
        self.emit(ind, "for _ in _ONCE:")
        for i, child in enumerate(arg):
            var = self.cond(child, base, ind + 1, f"{where}.{op}[{i}]", depth + 1)
            self.emit(ind + 1, f"if {stop_when}{var}:")
            self.emit(ind + 2, f"{out} = {result_on_stop}")
            self.emit(ind + 2, "break")
        return out

    def quantifier(
        self, node: dict[str, Any], op: str, base: str, ind: int, where: str, depth: int, out: str
    ) -> str:
        seq = self.sequence(base, node["path"], ind, where)
        elem = self.fresh("e")
        if op == "count":
            spec = node["count"]
            if (
                not isinstance(spec, dict)
                or len(spec) != 1
                or next(iter(spec)) not in _ORDER | {"eq": 0, "ne": 0}
            ):
                raise CheckDefinitionError(
                    f"{where}.count: give one of eq ne lt le gt ge, e.g. {{ge: 1}}"
                )
            n = self.fresh("n")
            if "where" in node:
                self.emit(ind, f"{n} = 0")
                self.emit(ind, f"if {seq}.__class__ is list:")
                self.emit(ind + 1, f"for {elem} in {seq}:")
                var = self.cond(node["where"], elem, ind + 2, f"{where}.where", depth + 1)
                self.emit(ind + 2, f"if {var}:")
                self.emit(ind + 3, f"{n} += 1")
            else:
                self.emit(ind, f"{n} = len({seq}) if {seq}.__class__ is list else 0")
            ((cmp_op, arg),) = spec.items()
            if isinstance(arg, bool) or not isinstance(arg, int):
                raise CheckDefinitionError(f"{where}.count: compare with a whole number")
            symbol = {"eq": "==", "ne": "!=", **_ORDER}[cmp_op]
            self.emit(ind, f"{out} = {n} {symbol} {arg}")
            return out
        self.emit(ind, f"{out} = {'True' if op == 'none' else 'False'}")
        self.emit(ind, f"if {seq}.__class__ is list:")
        if op == "all":
            self.emit(ind + 1, f"{out} = True")
        self.emit(ind + 1, f"for {elem} in {seq}:")
        var = self.cond(node[op], elem, ind + 2, f"{where}.{op}", depth + 1)
        stop = f"not {var}" if op == "all" else var
        self.emit(ind + 2, f"if {stop}:")
        self.emit(ind + 3, f"{out} = {'True' if op == 'any' else 'False'}")
        self.emit(ind + 3, "break")
        return out


EvaluateFn = Callable[[Any, Any], bool | None]


def compile_rule(check_id: str, rule: Any, where: str) -> tuple[EvaluateFn, str]:
    """Compile a rule into `evaluate(ev, ctx)`; returns the function and its source."""
    if not isinstance(rule, dict) or "require" not in rule or set(rule) - {"require", "applies_if"}:
        raise CheckDefinitionError(f"{where}: rule: needs `require` and may have `applies_if`")
    comp = _Compiler(check_id)
    comp.emit(0, "def evaluate(ev, ctx):")
    comp.emit(1, "r = ev.data")
    if "applies_if" in rule:
        applies = comp.cond(rule["applies_if"], "r", 1, f"{where}: rule.applies_if")
        comp.emit(1, f"if not {applies}:")
        comp.emit(2, "return None")
    verdict = comp.cond(rule["require"], "r", 1, f"{where}: rule.require")
    comp.emit(1, f"return {verdict}")
    source = "\n".join(comp.lines) + "\n"
    namespace = dict(comp.names)
    code = compile(source, f"<declarative check {check_id}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated source; user values are constants
    fn: EvaluateFn = namespace["evaluate"]
    return fn, source
