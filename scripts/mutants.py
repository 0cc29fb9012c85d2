"""The mutation operators of ``scripts/mutation.py``: small, plausible bugs made with ``ast``.

Each mutant changes one node of one module: a comparison flipped at its boundary (``<`` to
``<=``), ``and``/``or`` swapped or an operand dropped, a ``not`` removed, a condition negated,
arithmetic swapped, a constant changed, an element dropped from a literal set or tuple, a
clamp (``max``/``min``) or a normalisation (``.strip()``, ``.lower()``) removed, a regular
expression's quantifier or digit range loosened, a statement deleted or a return value
replaced by ``None``.

A mutant is named by its key: the module, the enclosing function, and the code before and
after (``alliance_pay/_retries.py::is_retryable::error.status_code in RETRYABLE_STATUSES =>
error.status_code not in RETRYABLE_STATUSES``), numbered when the same change occurs twice in
one function. Keys do not hold line numbers, so they survive edits elsewhere in the module.

Docstrings, annotations, ``__all__``, imports, f-strings, log calls, the messages given to
exceptions and strings holding whitespace (prose) are not mutated: changing them changes no
money rule. Strings without whitespace are: keys, header names, statuses, field names.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

__all__ = ["Mutant", "apply", "enumerate_mutants"]

_SNIPPET = 80
_COMPARE_FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINOP_FLIPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Mult,
}
_NORMALISERS = frozenset({"strip", "lower", "upper", "casefold", "lstrip", "rstrip"})
_CLAMPS = frozenset({"max", "min"})
_QUIET_CALLEES = frozenset({"debug", "info", "warning", "error", "exception", "critical"})
_MESSAGE_CALLEE = re.compile(r"(Error|Mismatch|Exception|Warning)$")
_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_DIGIT_RANGE = re.compile(r"\[([0-9])-([0-9])\]")


@dataclass(frozen=True)
class Mutant:
    """One change to one module; ``index`` says which, for [`apply`][]."""

    module: str
    qualname: str
    line: int
    before: str
    after: str
    occurrence: int
    index: int

    @property
    def key(self) -> str:
        key = f"{self.module}::{self.qualname}::{self.before} => {self.after}"
        return key if self.occurrence == 1 else f"{key} #{self.occurrence}"


def _snippet(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _assigned_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target: ast.expr = node.targets[0]
    elif isinstance(node, ast.AnnAssign):
        target = node.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


Change = tuple[str, Callable[[ast.AST], ast.AST | None]]


class _Mutator(ast.NodeTransformer):
    """Walks a module; numbers every possible change; applies the one at ``target``."""

    def __init__(self, module: str, functions: frozenset[str] | None, target: int) -> None:
        self.module = module
        self.functions = functions
        self.target = target
        self.found: list[tuple[str, int, str, str]] = []
        self.scope: list[str] = []
        self._in_function = False

    # -- where mutation is allowed --------------------------------------------------------
    def _qualname(self) -> str:
        return ".".join(self.scope) or "<module>"

    def _in_scope(self) -> bool:
        if self.functions is None:
            return True
        name = self._qualname()
        return any(name == f or name.startswith(f + ".") for f in self.functions)

    def _offer(self, node: ast.AST, changes: Sequence[Change]) -> ast.AST | None:
        """Record each change of ``node``; return the replacement when one is the target."""
        if not self._in_scope():
            return node
        result: ast.AST | None = node
        for after, make in changes:
            index = len(self.found)
            line = getattr(node, "lineno", 0)
            self.found.append((self._qualname(), line, _snippet(node), after))
            if index == self.target:
                result = make(copy.deepcopy(node))
        return result

    # -- scopes and what is never mutated ---------------------------------------------------
    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
        self.scope.append(node.name)
        outer, self._in_function = self._in_function, not isinstance(node, ast.ClassDef)
        node.body = self._body(node.body)
        self.scope.pop()
        self._in_function = outer
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._scoped(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._scoped(node)

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            if _is_docstring(stmt) or isinstance(stmt, (ast.Import, ast.ImportFrom)):
                out.append(stmt)
                continue
            name = _assigned_name(stmt) if not self.scope else None
            if name is not None:
                self.scope.append(name)  # a module constant is scoped by its name
            new = self.visit(stmt)
            if name is not None:
                self.scope.pop()
            if isinstance(new, ast.stmt):
                out.append(new)
        return out or [ast.Pass()]

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_arguments(self, node: ast.arguments) -> ast.AST:
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | None:
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return node
        self.generic_visit(node)
        if isinstance(node.value, ast.Constant) and self._in_function:
            return self._offer(node, [("pass", lambda n: ast.Pass())])
        return node

    # -- statements ---------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(value, ast.Call) and _callee(value) in _QUIET_CALLEES:
            return node  # logging
        self.generic_visit(node)
        return self._offer(node, [("pass", lambda n: ast.Pass())])

    def visit_Raise(self, node: ast.Raise) -> ast.AST | None:
        self.generic_visit(node)
        return self._offer(node, [("pass", lambda n: ast.Pass())])

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | None:
        self.generic_visit(node)
        return self._offer(node, [("pass", lambda n: ast.Pass())])

    def visit_Continue(self, node: ast.Continue) -> ast.AST | None:
        return self._offer(node, [("pass", lambda n: ast.Pass())])

    def visit_Break(self, node: ast.Break) -> ast.AST | None:
        return self._offer(node, [("pass", lambda n: ast.Pass())])

    def visit_Return(self, node: ast.Return) -> ast.AST | None:
        self.generic_visit(node)
        if node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            return node
        return self._offer(node, [("return None", lambda n: ast.Return(ast.Constant(None)))])

    def _negatable(self, node: ast.If | ast.While | ast.IfExp) -> ast.AST | None:
        self.generic_visit(node)
        test = node.test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return node
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and not isinstance(test.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE))
        ):
            return node  # the comparison flip already is the negation

        def negate(n: ast.AST) -> ast.AST:
            assert isinstance(n, (ast.If, ast.While, ast.IfExp))
            n.test = ast.UnaryOp(ast.Not(), n.test)
            return n

        return self._offer(node, [(f"not ({_snippet(test)})", negate)])

    def visit_If(self, node: ast.If) -> ast.AST | None:
        return self._negatable(node)

    def visit_While(self, node: ast.While) -> ast.AST | None:
        return self._negatable(node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST | None:
        return self._negatable(node)

    # -- expressions --------------------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> ast.AST | None:
        self.generic_visit(node)
        changes: list[Change] = []
        for i, op in enumerate(node.ops):
            flip = _COMPARE_FLIPS.get(type(op))
            if flip is None:
                continue

            def make(n: ast.AST, i: int = i, flip: type[ast.cmpop] = flip) -> ast.AST:
                assert isinstance(n, ast.Compare)
                n.ops[i] = flip()
                return n

            changes.append((_snippet(make(copy.deepcopy(node))), make))
        return self._offer(node, changes)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST | None:
        self.generic_visit(node)
        other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()

        def swap(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.BoolOp)
            n.op = other
            return n

        changes: list[Change] = [(_snippet(swap(copy.deepcopy(node))), swap)]
        for i in range(len(node.values)):

            def drop(n: ast.AST, i: int = i) -> ast.AST:
                assert isinstance(n, ast.BoolOp)
                del n.values[i]
                return n.values[0] if len(n.values) == 1 else n

            changes.append((_snippet(drop(copy.deepcopy(node))), drop))
        return self._offer(node, changes)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST | None:
        self.generic_visit(node)
        if isinstance(node.op, (ast.Not, ast.USub)):

            def operand(n: ast.AST) -> ast.AST:
                assert isinstance(n, ast.UnaryOp)
                return n.operand

            return self._offer(node, [(_snippet(node.operand), operand)])
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST | None:
        self.generic_visit(node)
        flip = _BINOP_FLIPS.get(type(node.op))
        if flip is None or (
            isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
        ):
            return node

        def make(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.BinOp)
            assert flip is not None
            n.op = flip()
            return n

        return self._offer(node, [(_snippet(make(copy.deepcopy(node))), make)])

    def visit_Constant(self, node: ast.Constant) -> ast.AST | None:
        value = node.value
        new: object
        if isinstance(value, bool):
            new = not value
        elif isinstance(value, (int, float)):
            new = value + 1
        elif isinstance(value, str):
            if any(ch.isspace() for ch in value):
                return node  # prose (a reason, a quote): words, not a rule
            new = f"XX{value}XX"
        else:
            return node
        return self._offer(node, [(repr(new), lambda n: ast.Constant(new))])

    def visit_Call(self, node: ast.Call) -> ast.AST | None:
        name = _callee(node)
        if name in _QUIET_CALLEES and isinstance(node.func, ast.Attribute):
            return node  # logging
        if _MESSAGE_CALLEE.search(name):
            # An error's message is for people; its field name (first argument) is a contract.
            if node.args:
                node.args[0] = self.visit(node.args[0])
            return node
        if name == "compile" and node.args and isinstance(node.args[0], ast.Constant):
            node.args[1:] = [self.visit(a) for a in node.args[1:]]
            return self._offer(node, _regex_changes(node))
        self.generic_visit(node)
        changes: list[Change] = []
        if isinstance(node.func, ast.Name) and name in _CLAMPS and len(node.args) == 2:
            for i in (0, 1):

                def keep(n: ast.AST, i: int = i) -> ast.AST:
                    assert isinstance(n, ast.Call)
                    return n.args[i]

                changes.append((_snippet(node.args[i]), keep))
        if (
            isinstance(node.func, ast.Attribute)
            and name in _NORMALISERS
            and not node.args
            and not node.keywords
        ):

            def receiver(n: ast.AST) -> ast.AST:
                assert isinstance(n, ast.Call)
                assert isinstance(n.func, ast.Attribute)
                return n.func.value

            changes.append((_snippet(node.func.value), receiver))
        return self._offer(node, changes) if changes else node

    def _drop_elements(self, node: ast.Tuple | ast.Set | ast.List) -> ast.AST | None:
        self.generic_visit(node)
        if len(node.elts) < 2 or not all(
            isinstance(e, (ast.Constant, ast.Name, ast.Attribute)) for e in node.elts
        ):
            return node
        changes: list[Change] = []
        for i in range(len(node.elts)):

            def drop(n: ast.AST, i: int = i) -> ast.AST:
                assert isinstance(n, (ast.Tuple, ast.Set, ast.List))
                del n.elts[i]
                return n

            changes.append((f"without {_snippet(node.elts[i])}", drop))
        return self._offer(node, changes)

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST | None:
        if not isinstance(node.ctx, ast.Load):
            return node
        return self._drop_elements(node)

    def visit_Set(self, node: ast.Set) -> ast.AST | None:
        return self._drop_elements(node)

    def visit_List(self, node: ast.List) -> ast.AST | None:
        return self._drop_elements(node)

    def visit_Dict(self, node: ast.Dict) -> ast.AST | None:
        self.generic_visit(node)
        changes: list[Change] = []
        for i in range(len(node.keys)):

            def drop(n: ast.AST, i: int = i) -> ast.AST:
                assert isinstance(n, ast.Dict)
                del n.keys[i]
                del n.values[i]
                return n

            key = node.keys[i]
            changes.append((f"without {_snippet(key) if key else '**'}", drop))
        return self._offer(node, changes) if len(node.keys) > 1 else node


def _regex_changes(node: ast.Call) -> list[Change]:
    """Loosen a compiled pattern: each quantifier bound moved by one, each digit range widened."""
    first = node.args[0]
    assert isinstance(first, ast.Constant)
    assert isinstance(first.value, str)
    pattern: str = first.value
    variants: list[str] = []
    for match in _QUANTIFIER.finditer(pattern):
        low, high = match.group(1), match.group(2)
        start, end = match.span()
        options = [f"{{{int(low) + 1},{high}}}" if high is not None else f"{{{int(low) + 1}}}"]
        if high:
            options.append(f"{{{low},{int(high) + 1}}}")
            options.append(f"{{{low},}}")
        if high is None and int(low) > 0:
            options.append(f"{{{int(low) - 1},{low}}}")
        variants.extend(pattern[:start] + option + pattern[end:] for option in options)
    for match in _DIGIT_RANGE.finditer(pattern):
        start, end = match.span()
        variants.append(pattern[:start] + "[0-9]" + pattern[end:])
    changes: list[Change] = []
    for variant in variants:

        def make(n: ast.AST, variant: str = variant) -> ast.AST:
            assert isinstance(n, ast.Call)
            n.args[0] = ast.Constant(variant)
            return n

        changes.append((f"re.compile({variant!r})", make))
    return changes


def _walk(
    source: str, module: str, functions: frozenset[str] | None, target: int
) -> tuple[list[tuple[str, int, str, str]], ast.Module]:
    tree = ast.parse(source)
    mutator = _Mutator(module, functions, target)
    new = mutator.visit(tree)
    assert isinstance(new, ast.Module)
    return mutator.found, ast.fix_missing_locations(new)


def enumerate_mutants(
    source: str, module: str, functions: frozenset[str] | None = None
) -> Iterator[Mutant]:
    """Every mutant of ``source``; ``functions`` limits them to those qualified names."""
    found, _ = _walk(source, module, functions, -1)
    seen: dict[str, int] = {}
    for index, (qualname, line, before, after) in enumerate(found):
        if before == after:
            continue
        base = f"{qualname}::{before} => {after}"
        seen[base] = seen.get(base, 0) + 1
        yield Mutant(module, qualname, line, before, after, seen[base], index)


def apply(source: str, mutant: Mutant, functions: frozenset[str] | None = None) -> str:
    """The text of the module with ``mutant`` applied (reformatted by ``ast.unparse``)."""
    _, tree = _walk(source, mutant.module, functions, mutant.index)
    return ast.unparse(tree) + "\n"
