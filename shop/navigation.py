"""Menus and dashboards that areas fill in: each view module adds its entry, so no list of
areas is kept in a template or in one place that every new area must edit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(order=True)
class NavItem:
    position: int
    endpoint: str = field(compare=False)
    label: object = field(compare=False)  # a lazy string
    owner_only: bool = field(default=False, compare=False)
    # The member roles that see the entry (None: every role).
    roles: frozenset | None = field(default=None, compare=False)


class Nav:
    """The portal's menu, filled by the view modules that add a section."""

    def __init__(self) -> None:
        self._items: list[NavItem] = []

    def add(self, position: int, endpoint: str, label, *, owner_only: bool = False, roles=None) -> None:
        self._items.append(NavItem(position, endpoint, label, owner_only, frozenset(roles) if roles else None))
        self._items.sort()

    def for_membership(self, membership) -> list[NavItem]:
        role = membership.role if membership else None
        return [
            i for i in self._items if (not i.owner_only or role == "owner") and (i.roles is None or role in i.roles)
        ]


class Panels:
    """The dashboard's parts, filled by the view modules: each is a function of the producer
    that returns (template, context) to include, or None when it has nothing to show."""

    def __init__(self) -> None:
        self._panels: list[tuple[int, object]] = []

    def add(self, position: int):
        def register(fn):
            self._panels.append((position, fn))
            self._panels.sort(key=lambda p: p[0])
            return fn

        return register

    def render_list(self, producer, membership) -> list[tuple[str, dict]]:
        shown = []
        for _, fn in self._panels:
            panel = fn(producer, membership)
            if panel is not None:
                shown.append(panel)
        return shown
