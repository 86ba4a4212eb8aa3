"""The BPMN XML schema's findings in the reader's language: lxml reports them in English with namespaced tags.

Only the common shapes are rephrased (unexpected element, missing child or attribute, bad or disallowed attribute,
duplicate id, dangling reference); anything else keeps lxml's text after a Chinese lead-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from server.engine.i18n import _

_TAG = r"'(?:\{[^}]*\})?([\w.-]+)'"


def _names(expected: str) -> str:
    return "、".join(re.sub(r"\{[^}]*\}", "", part).strip() for part in expected.split(",") if part.strip())


_SHAPES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"Element {_TAG}: This element is not expected\. Expected is(?: one of)? \( (.*) \)"),
     lambda m: _("元素 %(element)s 不应出现在此处，此处应为：%(expected)s", element=m[1], expected=_names(m[2]))),
    (re.compile(rf"Element {_TAG}: This element is not expected"),
     lambda m: _("元素 %(element)s 不应出现在此处", element=m[1])),
    (re.compile(rf"Element {_TAG}: Missing child element\(s\)\. Expected is(?: one of)? \( (.*) \)"),
     lambda m: _("元素 %(element)s 缺少子元素：%(expected)s", element=m[1], expected=_names(m[2]))),
    (re.compile(rf"Element {_TAG}: The attribute '([^']+)' is required but missing"),
     lambda m: _("元素 %(element)s 缺少必需的属性 %(attribute)s", element=m[1], attribute=m[2])),
    (re.compile(rf"Element {_TAG}, attribute '([^']+)': The attribute '[^']+' is not allowed"),
     lambda m: _("元素 %(element)s 不允许有属性 %(attribute)s", element=m[1], attribute=m[2])),
    (re.compile(rf"Element {_TAG}, attribute '([^']+)': (?:\[[^\]]*\] )?'([^']*)' is not a valid value"),
     lambda m: _("元素 %(element)s 的属性 %(attribute)s 的值“%(value)s”无效", element=m[1], attribute=m[2],
                 value=m[3])),
    (re.compile(rf"Element {_TAG}: Duplicate key-sequence \['([^']*)'\]"),
     lambda m: _("元素 %(element)s 的 id“%(id)s”重复", element=m[1], id=m[2])),
    (re.compile(rf"Element {_TAG}: No match found for key-sequence \['([^']*)'\]"),
     lambda m: _("元素 %(element)s 引用的“%(ref)s”不存在", element=m[1], ref=m[2])),
]


def schema_message(message: str) -> str:
    for pattern, text in _SHAPES:
        if found := pattern.search(message):
            return text(found)
    return _("不符合规范：%(error)s", error=message.strip())


# SpiffWorkflow parser refusals (their English text starts with these) -> what a modeller reads instead.
_PARSER: list[tuple[str, Callable[[], str]]] = [
    ("No start event found", lambda: _("流程没有开始事件")),
    ("Invalid Script Task", lambda: _("脚本任务没有脚本")),
    ("There is no support implemented for this task type", lambda: _("不支持这种任务类型")),
    ("A Service Task must have an operator", lambda: _("服务任务必须指定服务操作（spiffworkflow:serviceTaskOperator）")),
    ("Non-default exclusive outgoing sequence flow without condition", lambda: _("排他网关的非默认出口顺序流缺少条件")),
    ("Conditional event definition with missing condition", lambda: _("条件事件缺少条件")),
    ("Could not find messageRef", lambda: _("消息事件引用的消息不存在")),
    ("Message identifier is missing", lambda: _("消息缺少 id")),
    ("Duplicate process ID", lambda: _("流程 id 重复")),
    ("A SubWorkflow Must contain an End event", lambda: _("子流程必须有结束事件")),
    ("Exactly one start event is required", lambda: _("子流程必须恰好有一个开始事件")),
    ("Unknown Time Specification", lambda: _("定时器设置无法识别")),
    ("Time Specification Error", lambda: _("定时器设置无法识别")),
]


def parser_message(message: str) -> str:
    """SpiffWorkflow's refusal in Chinese where known, its own words kept after it (they name the element)."""
    text = message.strip()
    for start, chinese in _PARSER:
        if text.startswith(start):
            return _("%(problem)s（%(detail)s）", problem=chinese(), detail=text)
    return text
