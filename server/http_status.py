"""What each HTTP refusal is called, once for the API's JSON (`code`, `message`) and the pages (heading, hint):
translated like every other string, so an English page never falls back to Werkzeug's own English and a
Chinese page never shows it."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l


class Status(NamedTuple):
    code: str
    message: object  # a lazy string: rendered in the request's language
    hint: object
    heading: object | None = None  # the page's heading where it differs from the API's message


STATUSES: dict[int, Status] = {
    400: Status("bad_request", _l("请求格式不正确"), _l("请返回上一页检查填写的内容后重试。")),
    401: Status("unauthorized", _l("请先登录"), _l("请登录后再打开此页面。")),
    403: Status("forbidden", _l("无权访问"), _l("您的角色或所属单位无权查看或办理此事项。")),
    404: Status("not_found", _l("资源不存在"), _l("页面或事项不存在，或已被删除；请检查地址。"), _l("找不到该页面")),
    405: Status("method_not_allowed", _l("不支持该请求方法"), _l("请通过页面上的按钮办理，不要直接打开此地址。")),
    409: Status("conflict", _l("数据已被他人修改"), _l("请刷新页面查看最新内容后重试。")),
    413: Status("payload_too_large", _l("提交的内容过大"), _l("请减少填写的内容或附件大小后重试。")),
    415: Status("unsupported_media_type", _l("不支持的内容类型"), _l("请通过页面上的表单提交。")),
    422: Status("validation_failed", _l("提交的数据不符合要求"), _l("请返回上一页检查填写的内容后重试。")),
    429: Status("too_many_requests", _l("请求过于频繁"), _l("请稍候片刻再试。")),
    500: Status("internal_error", _l("服务器内部错误，请稍后再试"), _l("问题已记录，请稍后再试；如仍出错请联系系统管理员。")),
    503: Status("unavailable", _l("服务暂时不可用"), _l("请稍后再试。")),
}
FALLBACK = Status("error", _l("请求失败"), _l("请稍后再试。"))


def status_of(code: int) -> Status:
    return STATUSES.get(code, FALLBACK)
