"""How the arrangement's codes read (the flow's labels; the lines' Excel export uses them too)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {"draft": _l("待业务股室审核"), "reviewed": _l("待绩效管理股确认"), "confirmed": _l("已确认")}
DECISION = {"confirm": _l("确认预算安排"), "send_back": _l("退回重新测算")}
