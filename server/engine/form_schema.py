"""Admin forms (JSON Schema) that can neither reach out nor stall the server.

A form is written by an administrator but evaluated on every user's submission, so two things are settled at
deploy and enforced again at validation:

- References stay inside the form file. `$ref` must be local (`#...`) and resolve; `$dynamicRef`,
  `$recursiveRef`, `$id` (which rebases references) and a `$schema` other than 2020-12 are refused. Validation
  uses a `referencing` Registry that retrieves nothing: a reference that somehow is not local fails instead of
  opening a URL or a `file://` path.
- Regular expressions run on RE2, a linear-time engine: `pattern` (and the `regex` format) can never backtrack
  exponentially. A pattern RE2 cannot compile (backreferences, look-around) is refused at deploy, naming it;
  `patternProperties` is refused because jsonschema matches property names with Python's `re` in several
  keywords.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from typing import Any

import re2
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from server.engine.i18n import _

DIALECTS = {"https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#"}
# Retrieves nothing: the default `retrieve` of an empty Registry raises NoSuchResource for every URI.
OFFLINE_REGISTRY: Registry = Registry()
# Keywords whose object maps names (of properties, definitions) to subschemas rather than naming keywords.
_NAME_MAPS = {"properties", "$defs", "definitions", "dependentSchemas"}
# Keywords that apply their subschemas to the same instance: a `$ref` cycle through only these never ends.
_IN_PLACE = {"allOf", "anyOf", "oneOf", "not", "if", "then", "else"}
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is reported to the admin, not logged to stderr


class PatternUnusable(Exception):
    """A pattern that RE2 cannot compile: refused at deploy, and never run by another engine."""


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        raise PatternUnusable(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def _pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """`pattern` on RE2 (ECMA-262 search semantics: unanchored)."""
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    try:
        matched = compile_pattern(pattern).search(instance) is not None
    except PatternUnusable:
        # Only a version deployed before patterns were vetted can get here; never fall back to `re`.
        yield ValidationError(_("此项的格式规则无法检查，请联系管理员"), validator="x-form-definition")
        return
    if not matched:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)

    @checker.checks("regex", raises=PatternUnusable)
    def _is_regex(instance: object) -> bool:
        return not isinstance(instance, str) or compile_pattern(instance) is not None

    return checker


FORMAT_CHECKER = _format_checker()
SAFE_KEYWORDS = {"pattern": _pattern_keyword}


# ---------------------------------------------------------------- deploy-time vetting


def _where(path: tuple[str | int, ...]) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _nodes(schema: Any) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any], bool]]:
    """Every object in the document with its path and whether its keys are keywords (not property names).

    Every object is visited, data (`const`, `default`, …) included: a local `$ref` may point anywhere.
    """
    stack: list[tuple[tuple[str | int, ...], Any, bool]] = [((), schema, True)]
    while stack:
        path, node, keywords = stack.pop()
        if isinstance(node, dict):
            yield path, node, keywords
            stack.extend((path + (k,), v, not keywords or k not in _NAME_MAPS) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((path + (i,), v, True) for i, v in enumerate(node))


def _pointer(ref: str) -> tuple[str, ...] | None:
    if ref == "#":
        return ()
    if not ref.startswith("#/"):
        return None
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/"))


def _ref_problems(schema: dict[str, Any], path: tuple[str | int, ...], ref: str) -> Iterator[str]:
    where = _where(path + ("$ref",))
    if not ref.startswith("#"):
        yield _(
            "%(where)s 引用了外部地址“%(ref)s”：表单只能引用本文件内的定义（#/...），不会读取文件或网址",
            where=where,
            ref=ref,
        )
        return
    resolver = OFFLINE_REGISTRY.resolver_with_root(DRAFT202012.create_resource(schema))
    try:
        target = resolver.lookup(ref).contents
    except Unresolvable:
        yield _("%(where)s 引用的“%(ref)s”在本文件中不存在", where=where, ref=ref)
        return
    if not isinstance(target, dict | bool):
        yield _("%(where)s 引用的“%(ref)s”不是一个 schema", where=where, ref=ref)


def _at(schema: Any, path: tuple[str, ...]) -> Any:
    node = schema
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _cycle(schema: dict[str, Any], at: tuple[str | int, ...]) -> bool:
    """Whether following `$ref` and in-place keywords from `at` comes back without reading any input
    (jsonschema would recurse until the stack runs out on every submission)."""
    start = tuple(str(p) for p in at)
    seen: set[tuple[str, ...]] = set()
    stack = [start]
    while stack:
        path = stack.pop()
        node = _at(schema, path)
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        targets: list[tuple[str, ...]] = []
        if isinstance(ref, str) and (pointer := _pointer(ref)) is not None:
            targets.append(pointer)
        for key in _IN_PLACE & node.keys():
            sub = node[key]
            targets.extend([(*path, key, str(i)) for i in range(len(sub))] if isinstance(sub, list) else [(*path, key)])
        for target in targets:
            if target == start:
                return True
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return False


def _node_problems(
    schema: dict[str, Any], path: tuple[str | int, ...], node: dict[str, Any], keywords: bool
) -> Iterator[str]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        yield from _ref_problems(schema, path, ref)
    for keyword in ("$dynamicRef", "$recursiveRef"):
        if isinstance(node.get(keyword), str):
            yield _("%(where)s：表单不支持 %(keyword)s", where=_where(path + (keyword,)), keyword=keyword)
    if isinstance(node.get("$id"), str):
        yield _("%(where)s：表单不能声明 $id（引用只能指向本文件内）", where=_where(path + ("$id",)))
    dialect = node.get("$schema")
    if isinstance(dialect, str) and dialect not in DIALECTS:
        yield _(
            "%(where)s：只支持 JSON Schema 2020-12（%(expected)s），不能指向“%(dialect)s”",
            where=_where(path + ("$schema",)),
            expected="https://json-schema.org/draft/2020-12/schema",
            dialect=dialect,
        )
    if keywords and isinstance(node.get("patternProperties"), dict):
        yield _("%(where)s：表单不支持 patternProperties", where=_where(path + ("patternProperties",)))
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        try:
            compile_pattern(pattern)
        except PatternUnusable as exc:
            yield _(
                "%(where)s 的正则表达式“%(pattern)s”无法使用（%(reason)s）：只支持线性时间的 RE2 语法，"
                "不支持反向引用和环视",
                where=_where(path + ("pattern",)),
                pattern=pattern,
                reason=exc,
            )


def strict_loads(text: str) -> Any:
    """json.loads for form files: NaN, Infinity and numbers that overflow to infinity are refused (ValueError),
    as no comparison with them holds and PostgreSQL's JSON cannot store them."""

    def refuse(constant: str) -> Any:
        raise ValueError(_("不接受非有限的数字 %(value)s", value=constant))

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            refuse(number)
        return value

    return json.loads(text, parse_constant=refuse, parse_float=finite)


def _text_problems(schema: dict[str, Any]) -> Iterator[str]:
    """NUL and lone surrogates (written as escapes in the file): no database or page can carry them."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        texts = [node] if isinstance(node, str) else list(node) if isinstance(node, dict) else []
        if any(_BAD_CHAR.search(t) for t in texts):
            yield _("%(where)s 含有空字符或不成对的代理项", where=_where(path))  # bad keys are not descended into
        if isinstance(node, dict):
            stack.extend((path + (k,), v) for k, v in node.items() if not _BAD_CHAR.search(k))
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in enumerate(node))


def form_problems(schema: dict[str, Any]) -> list[str]:
    """Why this form cannot be deployed safely (empty when it can), each naming where in the form."""
    found: list[str] = list(_text_problems(schema))
    if found:
        return found
    for path, node, keywords in _nodes(schema):
        found.extend(_node_problems(schema, path, node, keywords))
    if not found:
        found.extend(
            _("%(where)s 形成了循环引用（引用回自身，不读取任何数据）", where=_where(path + ("$ref",)))
            for path, node, _keywords in _nodes(schema)
            if isinstance(node.get("$ref"), str) and _cycle(schema, path)
        )
    return found
