"""Words a county reads one way must mean that everywhere (issue 12.8): 退回 is a send-back to the submitter,
so no message about giving a claimed task back to the pool may use it (that is 放回待认领)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

ROOT = Path(__file__).resolve().parents[2]
POOL_WORDS = ("认领", "任务池")


def _messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    return {msg[2] if isinstance(msg[2], str) else msg[2][0]
            for msg in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}


def test_releasing_a_task_is_never_called_a_send_back():
    wrong = sorted(m for m in _messages() if "退回" in m and any(word in m for word in POOL_WORDS))
    assert not wrong, wrong
