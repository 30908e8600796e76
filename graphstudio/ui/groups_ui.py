"""Groups in the editor (:mod:`graphstudio.core.groups`): Graph > Group (Ctrl+G), Ungroup
(Ctrl+Shift+G), Collapse/Expand Group and Rename Group…, and how the canvas shows them.

The canvas draws the picture :mod:`graphstudio.render.groups` makes of the graph: a collapsed
group is its output's box drawn as one gate, the other members hidden and the edges into the
group arriving at the gate's ports; an expanded group is its nodes inside a frame labelled with
its name. :class:`GroupLayer` keeps the scene's items in step with each picture shown (the
hidden boxes, the gate's edges, the frames). Double-clicking a gate expands its group;
double-clicking inside a frame (not on a box) collapses it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGraphicsItem, QInputDialog
from shiboken6 import isValid

from ..core.circuits import circuit_text
from ..core.engine import evaluate
from ..core.events import GroupChanged
from ..core.graph import GraphError
from ..io.gs_defs import with_circuit
from ..render.draw import arrange
from ..render.group_frames import (frame_rect, frames_bounds, label_rect, paint_frame,
                                  paint_label)
from .commands import ArrangeCommand
from .group_commands import (GroupCommand, ReplaceGraphCommand, SetGroupCommand,
                             UngroupCommand)
from .items import EdgeItem, NodeItem

__all__ = ["install", "GroupLayer", "FrameItem"]


class FrameItem(QGraphicsItem):
    """The frame around an expanded group's boxes, under them; its name (``label``, an item of
    its own that the layer adds beside it) is drawn over the edges."""

    def __init__(self, group: int, name: str, theme) -> None:
        super().__init__()
        self.group, self.name, self.theme = group, name, theme
        self.frame = QRectF()
        self._bounds = QRectF()
        self.setZValue(-1)
        self.label = _FrameLabel(self)

    def set_frame(self, frame: QRectF, name: str, theme) -> None:
        self.prepareGeometryChange()
        self.frame, self.name, self.theme = frame, name, theme
        self._bounds = frame.adjusted(-2, -2, 2, 2)
        self.label.changed()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        paint_frame(painter, self.frame, self.name, self.theme)


class _FrameLabel(QGraphicsItem):
    """A frame's name, above the edges and their labels, below the boxes."""

    def __init__(self, frame: FrameItem) -> None:
        super().__init__()
        self.owner = frame
        self.setZValue(0.75)  # edges are at 0 and 0.5, boxes at 1
        self._bounds = QRectF()

    def changed(self) -> None:
        self.prepareGeometryChange()
        f = self.owner
        self._bounds = label_rect(f.frame, f.name, f.theme) if not f.frame.isNull() else QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        f = self.owner
        paint_label(painter, f.frame, f.name, f.theme)


class GroupLayer:
    """Keeps a scene's items as the groups show them (see the module docstring)."""

    def __init__(self, scene) -> None:
        self.scene = scene
        self.virtual: dict[tuple[int, int, int], EdgeItem] = {}  # a gate's edges
        self.frames: dict[int, FrameItem] = {}
        self.hidden: set[int] = set()  # the boxes a collapsed group hides
        self.edges_hidden = False  # some edge item is hidden (the last picture left it out)
        self.shown = None
        scene.before_show.append(self.sync)

    def sync(self, picture, nodes: list[int] | None = None) -> None:
        """Make the items show ``picture``: hide the boxes and edges it leaves out, add the
        gate edges it has and the graph has not, frame its expanded groups. Given the
        ``nodes`` whose views alone changed in the picture last shown (a scrub's new values),
        only the frames are fitted again: what is hidden and which edges show stay as they
        are, and looking over the whole graph would take a tenth of a 1,000-node scrub."""
        if nodes is not None and picture is self.shown:
            if self.frames:
                self.update_frames(picture)
            return
        scene = self.scene
        graph = scene.doc.graph
        self.shown = picture
        # the scene may have made its items anew since (another document, a rebuild: it
        # deleted the old ones)
        self.virtual = {k: i for k, i in self.virtual.items()
                        if isValid(i) and i.scene() is scene}
        self.hidden = {n for n in self.hidden
                       if n in scene.nodes and not scene.nodes[n].isVisible()}
        if not (self.virtual or self.hidden or self.frames or self.edges_hidden
                or picture.groups or graph.groups()) and len(picture.nodes) == len(scene.nodes) \
                and len(picture.edges) == len(scene.edges):
            return  # no groups, and the picture shows every node and edge, as the items do
            # (looking over 7,500 edges to find that takes a hundredth of opening them)
        wanted = {(e.src, e.dst, e.port) for e in picture.edges}
        real = set(graph.edges())
        for key in list(self.virtual):
            if key not in wanted or key in real or key[0] not in scene.nodes \
                    or key[1] not in scene.nodes:
                item = self.virtual.pop(key)
                if scene.edges.get(key) is item:
                    del scene.edges[key]
                    scene.router.remove_edge(*key)
                scene.removeItem(item)
        for key in wanted - real - set(self.virtual):
            src, dst, port = key
            if src not in scene.nodes or dst not in scene.nodes:
                continue
            item = EdgeItem(scene.nodes[src], scene.nodes[dst], port, scene.theme)
            item.setFlag(QGraphicsItem.ItemIsSelectable, False)
            scene.addItem(item)
            scene.edges[key] = item
            scene.router.add_edge(src, dst, port)
            self.virtual[key] = item
        hidden = {n for n in scene.nodes if n not in picture.nodes}
        for n in hidden - self.hidden:  # out of the router too: no edge goes round it
            item = scene.nodes[n]
            item.setSelected(False)
            item.setVisible(False)
            for key in graph.in_edges(n) + graph.out_edges(n):
                scene.router.remove_edge(*key)
            scene.router.remove_node(n)
        for n in self.hidden - hidden:
            item = scene.nodes.get(n)
            if item is None:
                continue
            item.setVisible(True)
            scene.node_changed(item)
        for n in self.hidden - hidden:
            for key in graph.in_edges(n) + graph.out_edges(n):
                if key[0] not in hidden and key[1] not in hidden and key in scene.edges:
                    scene.router.add_edge(*key)
        self.hidden = hidden & set(scene.nodes)
        self.edges_hidden = False
        for key, item in scene.edges.items():
            shown = key in wanted
            self.edges_hidden |= not shown
            if item.isVisible() != shown:
                item.setVisible(shown)
        self.update_frames(picture)

    def update_frames(self, picture=None) -> None:
        picture = picture or self.shown
        scene = self.scene
        frames = {f.group: f for f in (picture.groups if picture is not None else ())}
        for gid in list(self.frames):
            if gid not in frames or self.frames[gid].scene() is not scene:
                item = self.frames.pop(gid)
                for part in (item, item.label):
                    if part.scene() is scene:
                        scene.removeItem(part)
        for gid, frame in frames.items():
            item = self.frames.get(gid)
            if item is None:
                item = self.frames[gid] = FrameItem(gid, frame.name, scene.theme)
                scene.addItem(item)
                scene.addItem(item.label)
            rects = [scene.nodes[n].scene_rect() for n in frame.members if n in scene.nodes]
            item.set_frame(frame_rect(rects), frame.name, scene.theme)

    def frame_at(self, scene_pos) -> int | None:
        """The expanded group whose frame is under ``scene_pos``, or None."""
        for gid, item in self.frames.items():
            if item.frame.contains(scene_pos):
                return gid
        return None

    def bounds(self) -> QRectF:
        """What the frames cover (for fitting the view)."""
        if self.shown is None:
            return QRectF()
        rects = {n: i.scene_rect() for n, i in self.scene.nodes.items()}
        return frames_bounds(self.shown, rects, self.scene.theme)


class _DoubleClicks(QObject):
    """Double-click on a gate: expand its group; inside a frame, off the boxes (on an edge
    too): collapse it."""

    def __init__(self, tools: "GroupTools") -> None:
        super().__init__(tools.window)
        self.tools = tools

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.MouseButtonDblClick:
            return False
        canvas = self.tools.window.canvas
        pos = canvas.mapToScene(event.position().toPoint())
        graph = self.tools.window.document.graph
        item = canvas.itemAt(event.position().toPoint())
        if isinstance(item, NodeItem):
            gid = self.tools.gate_group(item.node)
            if gid is not None:
                self.tools.set_collapsed(gid, False)
                return True
            return False
        gid = self.tools.layer.frame_at(pos)
        if gid is not None and gid in graph.groups():
            self.tools.set_collapsed(gid, True)
            return True
        return False


class GroupTools:
    """The Graph menu's group actions and the canvas's double-clicks, for one window."""

    def __init__(self, window) -> None:
        self.window = window
        self.doc = window.document
        self.layer = GroupLayer(window.scene)
        self._regroup = False
        self.doc.graph_event.connect(self._event)
        self.doc.changed.connect(self._changed)
        self.doc.replaced.connect(self._changed)

        def action(text, slot, keys, tip, name):
            act = QAction(text, window)
            act.setObjectName(name)
            if keys:
                act.setShortcut(QKeySequence(keys))
            act.setStatusTip(tip)
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.act_group = action("&Group", self.group, "Ctrl+G",
                                "Make the selected nodes one group: one gate, one box", "act_group")
        self.act_ungroup = action("&Ungroup", self.ungroup, "Ctrl+Shift+G",
                                  "Remove the selected group (its nodes stay)", "act_ungroup")
        self.act_collapse = action("&Collapse/Expand Group", self.toggle, None,
                                   "Show the selected group as one gate, or its nodes in a frame",
                                   "act_collapse_group")
        self.act_rename = action("Re&name Group…", self.rename, None,
                                 "Rename the selected group", "act_rename_group")
        self.act_circuit = action("Expand into &Circuit", self.circuit, None,
                                  "Replace the selected sigmoid or tanh by its circuit of "
                                  "simpler ops (exp, +, ÷), as a group", "act_circuit")
        menu = window.menu("Graph")
        menu.addSeparator()
        menu.addActions([self.act_group, self.act_ungroup, self.act_collapse, self.act_rename,
                         self.act_circuit])
        self._clicks = _DoubleClicks(self)
        window.canvas.viewport().installEventFilter(self._clicks)
        window.node_menu_providers.append(self.node_actions)
        self._changed()

    def node_actions(self, node: int) -> list[QAction]:
        """What a node's right-click menu offers: Group for several nodes selected, the
        group's own actions for a node in a group, Expand into Circuit for an op that has one."""
        graph = self.doc.graph
        actions = []
        if len(self.window.scene.selected_nodes()) > 1:
            actions.append(self.act_group)
        if graph.group_of(node) is not None:
            actions += [self.act_collapse, self.act_rename, self.act_ungroup]
        elif not graph.is_leaf(node) and circuit_text(graph.op(node)) is not None:
            actions.append(self.act_circuit)
        return actions

    # ---- following the document ---------------------------------------------------------------

    def _event(self, event) -> None:
        if isinstance(event, GroupChanged):
            self._regroup = True

    def _changed(self) -> None:
        """After an edit that changed a group: the canvas shows the picture anew."""
        if self._regroup:
            self._regroup = False
            self.window.scene.refresh()
        else:
            self.layer.update_frames()

    # ---- what is selected -------------------------------------------------------------------

    def gate_group(self, node: int) -> int | None:
        """The collapsed group ``node`` is the gate of, or None."""
        graph = self.doc.graph
        gid = graph.group_of(node)
        return gid if gid is not None and graph.groups()[gid].collapsed else None

    def selected_group(self) -> int | None:
        """The group of the selected nodes (all in one group), or None."""
        graph = self.doc.graph
        groups = {graph.group_of(n) for n in self.window.scene.selected_nodes()}
        if len(groups) == 1:
            return groups.pop()
        return None

    def _refuse(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)

    def _push(self, command_or_error) -> bool:
        return self.window._push(command_or_error)

    # ---- the actions ------------------------------------------------------------------------

    def group(self) -> None:
        nodes = self.window.scene.selected_nodes()
        try:
            command = GroupCommand(self.doc, nodes)
        except GraphError as exc:
            self._refuse(str(exc))
            return
        if self._push(command):
            self._refuse(f"grouped as {command.name}: double-click it to open it, "
                         "Ctrl+Shift+G to ungroup")

    def ungroup(self) -> None:
        gid = self.selected_group()
        if gid is None:
            self._refuse("cannot ungroup: select a group (its box, or nodes inside its frame)")
            return
        self._push(UngroupCommand(self.doc, gid))

    def toggle(self) -> None:
        gid = self.selected_group()
        if gid is None:
            self._refuse("select a group to collapse or expand")
            return
        self.set_collapsed(gid, not self.doc.graph.groups()[gid].collapsed)

    def set_collapsed(self, gid: int, collapsed: bool) -> None:
        """Collapse or expand; an expanded group whose boxes land on others (its nodes kept
        their places while it was one box) is laid out anew, in the same undo step."""
        try:
            command = SetGroupCommand(self.doc, gid, collapsed=collapsed)
        except GraphError as exc:
            self._refuse(str(exc))
            return
        if collapsed:
            self._push(command)
            return
        stack = self.doc.undo_stack
        stack.beginMacro(command.text())
        try:
            arranged = self._push(command) and self._crowded(gid) and self._push(
                ArrangeCommand(self.doc, self.window.canvas.arrange()))
        finally:
            stack.endMacro()
        if arranged:
            self.window.canvas.fit()

    def _crowded(self, gid: int) -> bool:
        """Whether a box of the group overlaps a box outside it."""
        nodes = self.window.scene.nodes
        members = self.doc.graph.groups()[gid].members
        inside = [nodes[n].scene_rect() for n in members if n in nodes]
        outside = [item.scene_rect() for n, item in nodes.items()
                   if n not in members and item.isVisible()]
        return any(a.intersects(b) for a in inside for b in outside)

    def circuit(self) -> None:
        """Graph > Expand into Circuit: the selected node as its circuit, an expanded group,
        the graph laid out anew; one undo step."""
        nodes = self.window.scene.selected_nodes()
        if len(nodes) != 1:
            self._refuse("select one sigmoid or tanh node to expand into its circuit")
            return
        graph = self.doc.graph
        try:
            new = with_circuit(graph, nodes[0])
        except ValueError as exc:
            self._refuse(f"cannot expand into a circuit: {exc}")
            return
        for n, p in arrange(new, evaluate(new), self.window.scene.theme,
                            bool(self.doc.view.get("edge_labels"))).items():
            new.set_position(n, p)
        if self._push(ReplaceGraphCommand(self.doc, new,
                                          f"Expand {graph.label(nodes[0])} into its circuit")):
            self.window.canvas.fit()

    def rename(self) -> None:
        gid = self.selected_group()
        if gid is None:
            self._refuse("select a group to rename")
            return
        old = self.doc.graph.groups()[gid].name
        name, ok = QInputDialog.getText(self.window, "Rename Group", "Name:", text=old)
        if ok and name.strip() and name != old:
            try:
                self._push(SetGroupCommand(self.doc, gid, name=name.strip()))
            except GraphError as exc:
                self._refuse(str(exc))


def install(window) -> GroupTools:
    tools = GroupTools(window)
    window.group_tools = tools
    return tools

