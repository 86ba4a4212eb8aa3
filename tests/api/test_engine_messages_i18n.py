"""The engine's messages go through gettext: an English-speaking admin reads deploy problems in English, the
default stays Simplified Chinese, and the engine used without any Flask app (CLI deploy, benchmarks) still
speaks Chinese."""

from __future__ import annotations

from io import BytesIO

import pytest

from server.engine import parsing, sandbox
from server.engine.errors import DeployError
from server.engine.operators import OperatorRegistry
from tests.api.bpmn_text import one_step_flow

# A script that imports, a lane that is not a role, and a form that was not uploaded: three engine messages.
BROKEN = {"x.bpmn": one_step_flow("import os").replace('name="unit_staff"', 'name="boss"')}


def _deploy(admin, files: dict[str, str], language: str | None):
    payload = [(BytesIO(v.encode()), name) for name, v in files.items()]
    headers = {"Accept-Language": language} if language else {}
    resp = admin.post("/api/v1/process-models/i18n/versions", data={"files": payload},
                      content_type="multipart/form-data", headers=headers)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    return body["message"], " ".join(body["fields"].values())


def test_deploy_problems_are_english_for_an_english_caller(login_as):
    message, problems = _deploy(login_as("admin"), BROKEN, "en-US,en;q=0.9")
    for english in ("does not compile in the security sandbox", "Line 1: import is not allowed",
                    'Lane "boss" is not a known role', "was not uploaded"):
        assert english in problems, (english, problems)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message + problems), (message, problems)


@pytest.mark.parametrize("language", [None, "zh-CN,zh;q=0.9"])
def test_deploy_problems_are_chinese_by_default(login_as, language):
    _, problems = _deploy(login_as("admin"), BROKEN, language)
    for chinese in ("脚本无法通过安全沙箱编译：第 1 行：不允许 import", "泳道“boss”不是已知角色", "未上传"):
        assert chinese in problems, (chinese, problems)
    assert "is not a known role" not in problems


def test_broken_xml_in_english_and_by_default(login_as):
    admin = login_as("admin")
    _, english = _deploy(admin, {"x.bpmn": "<not-closed"}, "en")
    _, chinese = _deploy(admin, {"x.bpmn": "<not-closed"}, None)
    assert english.startswith("Malformed XML: ") and chinese.startswith("XML 格式错误：")


def test_the_engine_without_flask_speaks_chinese():
    from flask import has_app_context

    assert not has_app_context()
    with pytest.raises(DeployError) as caught:
        parsing.compile_package({"x.bpmn": b"<not-closed", "y.txt": b"?"}, known_roles=set(),
                                operators=OperatorRegistry())
    messages = [p.message for p in caught.value.problems]
    assert any(m.startswith("XML 格式错误：") for m in messages), messages
    assert "不支持的文件类型（只接受 .bpmn、.bpmn20.xml、.dmn 和表单 .json）" in messages
    with pytest.raises(sandbox.SandboxSyntaxError, match="第 1 行：不允许 import"):
        sandbox.validate("import os")
    with pytest.raises(sandbox.SandboxSyntaxError, match="不允许使用下划线开头的名称“_x”"):
        sandbox.validate("_x = 1")
