"""Lanes to roles at deploy: a diagram drawn elsewhere keeps its lane names, the version maps them to role codes.

Rule (DESIGN.md, conventions): a lane named by a role code is that role; any other lane needs an entry in the
deploy's `lane_roles` mapping (lane name -> role code) or the deploy's `default_role`. A human task outside any
lane (user, manual or plain `<task>`) takes the default role. The mapping is applied to the parsed specs before
they are serialized, so every later step (task rows, scope, the inbox) sees role codes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.engine.i18n import _


@dataclass(frozen=True)
class LaneRoles:
    """The deploy's lane options. `names`: role code -> readable name, for messages listing what is valid."""

    known: frozenset[str]
    mapping: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    def role_for(self, lane: str | None) -> str | None:
        """The role a lane (or no lane: None) is offered to, or None when nothing says."""
        if lane is not None and lane.strip():
            lane = lane.strip()
            if lane in self.mapping:
                return self.mapping[lane]
            if lane in self.known:
                return lane
        return self.default

    def valid_roles(self) -> str:
        """"unit_staff（实施单位）、…": what a lane may be mapped to, for refusal messages."""
        return "、".join(f"{code}（{self.names[code]}）" if self.names.get(code) else code
                        for code in sorted(self.known))


def option_problems(roles: LaneRoles, lane_names: Iterable[str]) -> list[tuple[str | None, str]]:
    """(lane name or None, message) for mapping entries that name no lane or no role, and a bad default."""
    found: list[tuple[str | None, str]] = []
    lanes = {name.strip() for name in lane_names}
    for lane, role in roles.mapping.items():
        if role not in roles.known:
            found.append((lane, _("泳道“%(lane)s”映射到的“%(role)s”不是已知角色；可选角色：%(valid)s",
                                  lane=lane, role=role, valid=roles.valid_roles())))
        elif lane not in lanes:
            found.append((lane, _("泳道映射中的“%(lane)s”不是图中的泳道；图中的泳道：%(lanes)s",
                                  lane=lane, lanes="、".join(sorted(lanes)) or _("（无）"))))
    if roles.default is not None and roles.default not in roles.known:
        found.append((None, _("默认角色“%(role)s”不是已知角色；可选角色：%(valid)s",
                              role=roles.default, valid=roles.valid_roles())))
    return found


def apply(specs: Iterable[Any], roles: LaneRoles) -> None:
    """Rewrite each task spec's lane to its role code (human tasks outside lanes get the default role)."""
    for spec in specs:
        for ts in spec.task_specs.values():
            lane = getattr(ts, "lane", None)
            if lane or getattr(ts, "manual", False):
                role = roles.role_for(lane)
                if role is not None:
                    ts.lane = role
