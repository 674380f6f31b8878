"""The units a form's unit picker lists. A municipality has a few dozen units and every one is listed; the
prefecture of a large one has thousands, and a page of thousands of checkboxes is both heavy and unusable, so
past a limit the picker lists the top units, the way down to the one opened and the units just below it, and
every unit already chosen with the way down to it (a choice never disappears while the person looks elsewhere).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OrgNode:
    id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class PickerUnit:
    id: int
    name: str
    depth: int  # 0 for the units directly below the root
    can_open: bool  # has units below it that are not listed


def picker_units(nodes: Sequence[OrgNode], root_id: int, limit: int, opened: int | None = None,
                 chosen: Collection[int] = ()) -> list[PickerUnit]:
    """The units below `root_id` to list, in tree order (siblings in the order of `nodes`). Every one when there
    are at most `limit`; otherwise the trimmed list described above."""
    children: dict[int | None, list[OrgNode]] = defaultdict(list)
    parents: dict[int, int | None] = {}
    for node in nodes:
        children[node.parent_id].append(node)
        parents[node.id] = node.parent_id
    below_root = _count_below(children, root_id)
    listed: set[int] | None = None  # None: every unit
    if below_root > limit:
        listed = {node.id for node in children[root_id]}
        for unit_id in [opened, *chosen] if opened is not None else chosen:
            listed.update(_path(unit_id, root_id, parents))
        if opened in listed:
            listed.update(node.id for node in children[opened])
    found: list[PickerUnit] = []
    stack = [(node, 0) for node in reversed(children[root_id])]
    while stack:
        node, depth = stack.pop()
        if listed is not None and node.id not in listed:
            continue
        below = children[node.id]
        shown_below = [child for child in below if listed is None or child.id in listed]
        found.append(PickerUnit(node.id, node.name, depth, can_open=len(shown_below) < len(below)))
        stack.extend((child, depth + 1) for child in reversed(shown_below))
    return found


def _count_below(children: dict[int | None, list[OrgNode]], root_id: int) -> int:
    count, stack = 0, [root_id]
    while stack:
        below = children[stack.pop()]
        count += len(below)
        stack.extend(node.id for node in below)
    return count


def _path(unit_id: int, root_id: int, parents: dict[int, int | None]) -> list[int]:
    """The units from just below the root down to `unit_id`; none when it is unknown or not below the root."""
    path: list[int] = []
    current: int | None = unit_id
    while current in parents and current != root_id:
        if current in path:
            return []  # a cycle: never below the root
        path.append(current)
        current = parents[current]
    return path if current == root_id else []
