"""GET /api/openapi.json: the v1 contract, generated from the marshmallow schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from server.api import admin, schemas
from server.api.budget_arrangements import ArrangementListOut
from server.api.projects import ProjectDetailOut, ProjectOut
from server.models.identity import ROLE_CODES

bp = Blueprint("openapi", __name__)

_ERR = {"$ref": "#/components/responses/Error"}
_JSON = "application/json"
_ROLE_CODES = sorted(ROLE_CODES)


def _op(summary: str, ok: str | None, *, body: str | None = None, status: int = 200,
        errors: tuple[int, ...] = (401,), params: list[dict[str, Any]] | None = None,
        many: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if ok:
        ref: dict[str, Any] = {"$ref": f"#/components/schemas/{ok}"}
        op["responses"][str(status)] = {
            "description": "OK",
            "content": {_JSON: {"schema": {"type": "array", "items": ref} if many else ref}},
        }
    else:
        op["responses"][str(status)] = {"description": "OK"}
    for code in errors:
        op["responses"][str(code)] = _ERR
    if body:
        op["requestBody"] = {"required": True, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    if params:
        op["parameters"] = params
    return op


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


@cache
def build_spec() -> dict[str, Any]:
    spec = APISpec(title="Jixiao 绩效 API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    for name in ("LoginIn", "UserOut", "ProcessModelOut", "StartIn", "BatchStartIn", "CancelIn", "RetryIn", "CompleteIn", "TaskOut", "InstanceOut", "ErrorOut",
                 "MessageIn", "MessageOut"):
        spec.components.schema(name, schema=getattr(schemas, name))
    spec.components.schema("ProjectOut", schema=ProjectOut)
    spec.components.schema("AttachmentOut", schema=schemas.AttachmentOut)
    spec.components.schema("ProjectDetailOut", schema=ProjectDetailOut)
    spec.components.schema("ArrangementListOut", schema=ArrangementListOut)
    for name, schema in admin.SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    spec.components.response("Error", {"description": "错误", "content": {_JSON: {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    task_id, inst_id = [_id("task_id")], [_id("instance_id")]
    # Same key + same body from the same user within 24 h: the first answer again (Idempotent-Replayed: true);
    # another body: 422; the first still running: 409. 503 db_unavailable (Retry-After): nothing was saved.
    once = [{"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": 200}}]
    paths: dict[str, dict[str, Any]] = {
        "/api/v1/session": {
            # 429: too many failed logins for the account or address; 503 login_busy: no password-hashing slot
            # freed in time. Both carry Retry-After (seconds).
            "post": _op("登录，返回令牌", "UserOut", body="LoginIn", status=201, errors=(401, 422, 429, 503)),
            "delete": _op("退出登录", None, status=204),
        },
        "/api/v1/me": {"get": _op("当前用户", "UserOut")},
        "/api/v1/process-models": {"get": _op("流程列表", "ProcessModelOut", many=True)},
        "/api/v1/process-models/{key}/versions": {
            "post": {
                **_op("部署新版本（multipart：.bpmn/.bpmn20.xml/.dmn/.json 文件；泳道名称不是角色代码时用 lane_roles "
                      "映射或 default_role 指定默认角色；无泳道的流程默认只有系统管理员可发起，可用 start_role 指定）",
                      None, status=201, errors=(401, 403, 413, 422),
                      params=[{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]),
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "lane_roles": {"type": "string", "description": "JSON 对象：泳道名称 → 角色代码"},
                    "default_role": {"type": "string", "enum": _ROLE_CODES},
                    "start_role": {"type": "string", "enum": _ROLE_CODES}}}}}},
            }
        },
        "/api/v1/process-models/{key}/batch-start": {
            "post": _op("为预算年度内符合条件的全部项目发起流程（绩效管理股）", None, body="BatchStartIn", status=201,
                        errors=(401, 403, 404, 422), params=[{"name": "key", "in": "path", "required": True,
                                                             "schema": {"type": "string"}}])},
        "/api/v1/process-instances": {"post": _op("发起流程", "InstanceOut", body="StartIn", status=201,
                                                   errors=(401, 403, 404, 409, 422, 503), params=once)},
        "/api/v1/process-instances/{instance_id}": {"get": _op("流程实例详情", "InstanceOut", errors=(401, 404), params=inst_id)},
        "/api/v1/process-instances/{instance_id}/cancel": {"post": _op(
            "撤销流程（须填写理由；谁可在哪一步撤销由流程的 cancelRoles / starterMayWithdraw 规定，无权时 403 说明规则）",
            "InstanceOut", body="CancelIn", errors=(401, 403, 404, 422), params=inst_id)},
        "/api/v1/process-instances/{instance_id}/retry": {"post": {**_op(
            "重试出错的流程（系统管理员、绩效管理股）：从最后保存的状态重新运行，可选改用最新部署的版本",
            "InstanceOut", errors=(401, 403, 404, 422), params=inst_id),
            "requestBody": {"required": False, "content": {_JSON: {"schema": {"$ref": "#/components/schemas/RetryIn"}}}}}},
        "/api/v1/tasks": {"get": _op("任务列表", None, params=[
            {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["mine", "claimable", "done"]}},
            {"name": "q", "in": "query", "schema": {"type": "string"}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            {"name": "after", "in": "query", "schema": {"type": "string", "maxLength": 200}},  # next_after
        ], errors=(401, 422))},
        "/api/v1/tasks/{task_id}": {"get": _op("任务详情（含表单）", "TaskOut", errors=(401, 404), params=task_id)},
        "/api/v1/choices/{name}": {"get": _op("表单选项来源的当前选项（如登记的第三方机构）", None, errors=(401, 403, 404),
                                               params=[{"name": "name", "in": "path", "required": True,
                                                        "schema": {"type": "string", "maxLength": 64}}])},
        "/api/v1/tasks/{task_id}/claim": {"post": _op("认领任务", "TaskOut", errors=(401, 403, 404, 409), params=task_id)},
        "/api/v1/tasks/{task_id}/unclaim": {"post": _op("放回待认领", "TaskOut", errors=(401, 403, 404, 409), params=task_id)},
        "/api/v1/tasks/{task_id}/complete": {"post": _op("办理任务", None, body="CompleteIn",
                                                          errors=(401, 403, 404, 409, 422, 503), params=task_id + once)},
        "/api/v1/projects": {"get": _op("项目库", None, params=[
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        ], errors=(401, 422))},
        "/api/v1/attachments": {"post": {
            **_op("上传附件（multipart 字段 file；按内容判断类型：PDF、Word、Excel、JPG、PNG、ZIP）", "AttachmentOut",
                  status=201, errors=(401, 403, 413, 422)),
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        }},
        "/api/v1/attachments/{attachment_id}": {"get": {
            **_op("下载附件（Content-Disposition: attachment；无权查看时 404）", None, errors=(401, 404),
                  params=[_id("attachment_id")]),
            "responses": {"200": {"description": "文件内容", "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}, "401": _ERR, "404": _ERR},
        }},
        "/api/v1/messages": {"post": _op(
            "向等待中的流程实例发送 BPMN 消息（系统管理员、绩效管理股）：按 SpiffWorkflow 的关联属性（correlation）匹配，"
            "实例尚无关联值时以其数据计算；返回收到消息的实例", "MessageOut", body="MessageIn",
            errors=(401, 403, 422))},
        "/api/v1/projects/{project_id}": {"get": _op("项目详情", "ProjectDetailOut", errors=(401, 404), params=[_id("project_id")])},
        "/api/v1/budget-arrangements": {"get": _op(
            "预算安排：某预算年度各项目的基数、结果应用调整、安排金额及理由（含来源评价）；财政业务股室看本领域（含待审核的），"
            "绩效管理股看全部，主管部门和单位只看本部门、本单位已确认的。kind 为 department 的行是主管部门的部门公用经费"
            "（按上一年度部门整体绩效评价结果调整；department 为部门名称，project_code 为空；理由含 dept_evaluation_id、"
            "等次和得分），只有绩效管理股、该领域的财政业务股室和该部门本身可见", "ArrangementListOut", errors=(401, 403, 422), params=[
                {"name": "fiscal_year", "in": "query", "required": True,
                 "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
                {"name": "sector", "in": "query", "schema": {"type": "string", "maxLength": 32}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
            ])},
    }
    paths.update(_admin_paths(inst_id, task_id))
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    out = spec.to_dict()
    out["security"] = [{"bearer": []}]
    return out


def _admin_paths(inst_id: list[dict[str, Any]], task_id: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """/api/v1/admin/…: administrators only (403 for every other role)."""
    user_id = [_id("user_id")]
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    denied = (401, 403, 404, 409, 422)
    optional = {"requestBody": {"required": False, "content": {_JSON: {"schema": {"$ref": "#/components/schemas/RetryIn"}}}}}
    return {
        "/api/v1/admin/instances": {"get": _op("待修复的流程实例（status=error|suspended|active）", "RepairOut", errors=(401, 403, 422),
                                               params=[{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["error", "suspended", "active"]}},
                                                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}])},
        "/api/v1/admin/instances/{instance_id}/retry": {"post": {**_op("重试出错的流程", "InstanceOut", errors=denied, params=inst_id), **optional}},
        "/api/v1/admin/instances/{instance_id}/cancel": {"post": _op("撤销流程（须填写理由）", "InstanceOut", body="CancelIn", errors=denied, params=inst_id)},
        "/api/v1/admin/instances/{instance_id}/suspend": {"post": _op("挂起流程：定时器暂停，任务不能办理", "InstanceOut", body="ReasonIn", errors=denied, params=inst_id)},
        "/api/v1/admin/instances/{instance_id}/resume": {"post": _op("恢复挂起的流程", "InstanceOut", errors=denied, params=inst_id)},
        "/api/v1/admin/instances/{instance_id}/move-timers": {"post": _op("下一个定时器立即到期并触发（测试流程用）", "InstanceOut", errors=denied, params=inst_id)},
        "/api/v1/admin/tasks/{task_id}/skip": {"post": _op("将人工任务标记为办结并继续（须填写理由；服务步骤不能跳过）", "InstanceOut", body="ReasonIn", errors=denied, params=task_id)},
        "/api/v1/admin/tasks/{task_id}/reassign": {"post": _op("把任务转交给有权办理的用户", None, body="ReassignIn", errors=denied, params=task_id)},
        "/api/v1/admin/process-models/{key}/diff": {"get": _op(
            "两个版本之间新增、修改、删除的流程图元素（query：from、to 版本号）", None, errors=(401, 403, 404, 422),
            params=[key] + [{"name": n, "in": "query", "required": True, "schema": {"type": "integer"}} for n in ("from", "to")])},
        "/api/v1/admin/process-models/{key}/migrations": {
            "get": _op("较早版本中办理中、等待中的实例，及能否迁移到 to_version（不能时说明原因）", None,
                       errors=(401, 403, 404, 422), params=[key, {"name": "to_version", "in": "query", "required": True,
                                                                  "schema": {"type": "integer"}}]),
            "post": _op("把实例迁移到较新的版本：每个实例单独提交，不能迁移的保持不变并说明原因", None, body="MigrateIn",
                        errors=(401, 403, 404, 422), params=[key])},
        "/api/v1/admin/users": {"get": _op("用户列表", None, errors=(401, 403)),
                                "post": _op("新建用户（不填密码则返回一次性密码）", "UserOut", body="UserIn", status=201, errors=(401, 403, 422))},
        "/api/v1/admin/users/{user_id}": {"post": _op("修改用户（姓名、机构、角色、归口领域）", "UserOut", body="UserIn", errors=(401, 403, 404, 422), params=user_id)},
        "/api/v1/admin/users/{user_id}/deactivate": {"post": _op("停用用户：会话结束，已认领任务放回待认领", None, errors=(401, 403, 404, 422), params=user_id)},
        "/api/v1/admin/users/{user_id}/reactivate": {"post": _op("恢复使用", "UserOut", errors=(401, 403, 404, 422), params=user_id)},
        "/api/v1/admin/users/{user_id}/password": {"post": {**_op("重置密码（不填则返回一次性密码）；会话全部结束", None, errors=(401, 403, 404, 422), params=user_id),
                                                            "requestBody": {"required": False, "content": {_JSON: {"schema": {"$ref": "#/components/schemas/PasswordIn"}}}}}},
        "/api/v1/admin/users/import": {"post": {**_op("从 .xlsx 批量导入用户（全部无误才导入）", None, status=201, errors=(401, 403, 413, 422)),
                                                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                                                    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
