"""The undoable edits of groups (:mod:`graphstudio.core.groups`): Group, Ungroup, Rename and
Collapse/Expand. Each is all or nothing: the model refuses a selection that is not one value
computed from outside, with the reason, and nothing is recorded."""

from __future__ import annotations

from ..core.graph import GraphError
from ..core.groups import Group, group_problem
from .commands import Command

__all__ = ["GroupCommand", "UngroupCommand", "SetGroupCommand", "ReplaceGraphCommand",
           "group_name"]


def group_name(doc, nodes) -> str:
    """A new group's name: ``group``, ``group2``... (one no other group has)."""
    taken = {g.name for g in doc.graph.groups().values()}
    name, k = "group", 2
    while name in taken:
        name, k = f"group{k}", k + 1
    return name


class GroupCommand(Command):
    """Make the selected nodes one group, collapsed."""

    def __init__(self, doc, nodes, name: str | None = None) -> None:
        nodes = sorted(set(nodes))
        problem = group_problem(doc.graph, nodes)
        if problem:
            raise GraphError(f"cannot group: {problem}")
        self.name = name or group_name(doc, nodes)
        super().__init__(doc, f"Group {len(nodes)} nodes as {self.name}")
        self.nodes = nodes
        self.gid: int | None = None

    def apply(self) -> None:
        self.gid = self.graph.add_group(self.name, self.nodes, collapsed=True,
                                        group_id=self.gid)

    def revert(self) -> None:
        self.graph.remove_group(self.gid)


class UngroupCommand(Command):
    """Remove a group; its nodes stay."""

    def __init__(self, doc, gid: int) -> None:
        self.group: Group = doc.graph.group(gid)
        super().__init__(doc, f"Ungroup {self.group.name}")
        self.gid = gid

    def apply(self) -> None:
        self.graph.remove_group(self.gid)

    def revert(self) -> None:
        self.graph.restore_group(self.gid, self.group)


class SetGroupCommand(Command):
    """Rename a group, or collapse or expand it. A group a ``.gs`` call made is renamed with its
    function when the new name is a name the text can hold (so it is saved as that ``def``)."""

    def __init__(self, doc, gid: int, *, name: str | None = None,
                 collapsed: bool | None = None) -> None:
        self.old: Group = doc.graph.group(gid)
        if name is not None and not name.strip():
            raise GraphError("a group needs a name")
        if collapsed:
            problem = group_problem(doc.graph, self.old.members, ignore=gid)
            if problem:  # an edit since it was made (an edge out of its middle)
                raise GraphError(f"cannot collapse {self.old.name}: {problem}")
        if collapsed is not None:
            text = f"{'Collapse' if collapsed else 'Expand'} {self.old.name}"
        else:
            text = f"Rename group {self.old.name} to {name}"
        super().__init__(doc, text)
        self.gid, self.name, self.collapsed = gid, name, collapsed

    def apply(self) -> None:
        function = None
        if self.name is not None and self.old.function and self.name.isidentifier():
            function = self.name
        self.graph.set_group(self.gid, name=self.name, collapsed=self.collapsed,
                             function=function)

    def revert(self) -> None:
        self.graph.set_group(self.gid, name=self.old.name, collapsed=self.old.collapsed,
                             function=self.old.function)


class ReplaceGraphCommand(Command):
    """Make the graph ``new`` (an edited copy of it, with the same ids): nodes added,
    removed, rewired and grouped in one step (Expand into Circuit)."""

    def __init__(self, doc, new, text: str) -> None:
        super().__init__(doc, text)
        self.before = doc.graph.snapshot()
        self.after = new.snapshot()

    def apply(self) -> None:
        self.graph.revert_to(self.after)

    def revert(self) -> None:
        self.graph.revert_to(self.before)
