"""``graphstudio train FILE``: gradient descent on a graph's parameters, headless.

::

    graphstudio train examples/siegen_fit_curve.gs --steps 300 --lr 0.5 --lr-steps 200:0.2
    graphstudio train examples/seoul_sgd_l2.gs --steps 200 --lr 0.5 --batch 8 -o trained.gs
    graphstudio train examples/cmu11785_classify.gs --steps 300 --lr 0.5 --holdout 0.25 --plane out.png

Prints the loss as it goes (a progress bar on a terminal, a line every tenth of the run
otherwise) and ends with ``final loss: <number>``, the mean loss over the whole dataset at the
trained parameters. ``--holdout SHARE`` sets that share of the rows aside (chosen with
``--seed``): they are not trained on, and their loss is printed beside the training loss.
``--plane OUT.png`` draws the trained network's output over the plane of its two input
columns with the data points on top (:mod:`graphstudio.render.plane`). With ``-o OUT`` it writes the graph with the trained parameters (a ``.json``
document or ``.gs`` text, by suffix), naming its dataset relative to OUT's folder where it can
(absolute otherwise), or carrying the CSV inside with ``--embed-data``. A diverging run prints
why and exits with status 1 without writing anything.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Sequence, TextIO

from .cli import UsageError, graph_file, parser
from .core.dataset import DatasetError, load_for_graph
from .core.graph import GraphError
from .core.train import Diverged, Schedule, StepRecord, Trainer, TrainingError, TrainingSettings
from .io import OpenError, open_document
from .io.formats import FileFormat, save_document, suffix_list, writer_for, writers
from .io.gs import write_text


def _out_formats() -> list[FileFormat]:
    """What a trained graph can be written as: the formats that also read it back."""
    return [f for f in writers() if f.read is not None]


DEFAULTS = TrainingSettings()


def main(argv: Sequence[str]) -> int:
    p = parser("graphstudio train", "Train the parameters (param(...) inputs) of a graph by "
               "gradient descent on its output, over the rows of its dataset.")
    p.add_argument("file", help=graph_file("graph whose output is the loss"))
    p.add_argument("--steps", type=int, default=DEFAULTS.steps, metavar="N",
                   help=f"number of steps (default {DEFAULTS.steps})")
    p.add_argument("--lr", type=float, default=DEFAULTS.schedule.lr, metavar="X",
                   help=f"learning rate (default {DEFAULTS.schedule.lr:g})")
    p.add_argument("--lr-steps", metavar="K:X,...", help="schedule: after K steps use rate X, "
                   "as in 30:0.05,50:0.01 (Siegen's '30 iterations with τ1, 20 more with τ2')")
    p.add_argument("--batch", type=int, metavar="B", help="minibatch size (default: the whole "
                   "dataset, full-batch gradient descent)")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed, metavar="S",
                   help=f"seed of the minibatch shuffle (default {DEFAULTS.seed})")
    p.add_argument("--holdout", type=float, default=DEFAULTS.holdout, metavar="SHARE",
                   help="share of the rows to set aside and not train on (0 to 0.9, e.g. 0.2); "
                   "their loss is printed beside the training loss")
    p.add_argument("--plane", metavar="OUT.png", help="draw the trained output over the plane "
                   "of the two input columns, with the data points, to a PNG")
    p.add_argument("--theme", choices=("light", "dark", "print"), default="light",
                   help="the colours of --plane (default light)")
    p.add_argument("--output", metavar="NAME", help="the loss node (default: the graph's output)")
    p.add_argument("-o", dest="out", metavar="OUT",
                   help=f"write the trained graph ({suffix_list(_out_formats())}); its dataset "
                   "is named relative to OUT's folder where it can be, else by its full path")
    p.add_argument("--embed-data", action="store_true",
                   help="with -o: carry the dataset's CSV text inside OUT, so the one file is "
                   "all another machine needs")
    args = p.parse_args(argv)
    if args.embed_data and args.out is None:
        raise UsageError("--embed-data: give the file to write with -o OUT")
    try:
        schedule = Schedule.parse(args.lr, args.lr_steps)
    except ValueError as exc:
        raise UsageError(f"--lr/--lr-steps: {exc}") from None
    try:
        settings = TrainingSettings(args.steps, schedule, args.batch, args.seed, args.holdout)
    except ValueError as exc:
        flag = f"--holdout {args.holdout:g}" if "held out" in str(exc) else f"--steps {args.steps}"
        raise UsageError(f"{flag}: {exc}") from None
    if args.plane is not None:
        plane_out = Path(args.plane)
        if plane_out.suffix.lower() != ".png":
            raise UsageError(f"--plane {args.plane}: the picture is a PNG; name it OUT.png")
        if not plane_out.resolve().parent.is_dir():
            raise UsageError(f"--plane {args.plane}: the folder does not exist")
    if args.out is not None:
        out = Path(args.out)
        if not out.suffix or writer_for(out) not in _out_formats():
            raise UsageError(f"{out}: unknown output type {out.suffix!r}; "
                             f"write {suffix_list(_out_formats())}")
        if not out.resolve().parent.is_dir():
            raise UsageError(f"{out}: the folder does not exist")
        if writer_for(out).name == "gs" and _same_file(out, Path(args.file)):
            raise UsageError(f"{out}: this is the file being trained; writing the trained graph "
                             "over it would replace its text and lose its comments. Write to "
                             f"another file, such as {out.with_name(out.stem + '_trained.gs')}")

    try:
        doc = open_document(args.file)
    except OpenError as exc:
        raise UsageError(str(exc)) from None
    graph = doc.graph
    if args.out is not None and writer_for(args.out).name == "gs":
        try:  # what .gs text cannot hold is said now, not after the training
            write_text(graph)
        except ValueError as exc:
            raise UsageError(f"{args.out}: cannot write the trained graph as .gs: {exc}") from None
    base = Path(args.file).parent
    try:
        output = graph.find(args.output) if args.output else None
    except GraphError:
        raise UsageError(f"{args.file}: --output {args.output}: no node of that name") from None
    try:
        dataset = load_for_graph(graph, base)
        trainer = settings.trainer(graph, dataset, output)
    except DatasetError as exc:
        raise UsageError(str(exc)) from None
    except TrainingError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    plane = None
    if args.plane is not None:
        from .core.plane import NoPlane, Plane
        try:
            plane = Plane(graph, dataset, trainer.output)
        except NoPlane as exc:
            raise UsageError(f"--plane: {args.file}: {exc}") from None

    examples = f"{trainer.n_examples} example{'s' * (trainer.n_examples != 1)}"
    batch = "full batch" if trainer.batch_size >= trainer.n_examples else f"batch {trainer.batch_size}"
    params = ", ".join(graph.label(n) for n in trainer.param_nodes)
    held = ""
    if trainer.held_out:
        held = (f", {len(trainer.held_out)} held out (held-out loss "
                f"{trainer.held_out_loss():.6g})")
    print(f"training {params} on {examples} ({batch}, {settings.schedule.describe()}); "
          f"initial loss {trainer.initial_loss:.6g}{held}")
    if trainer.batch_refusal:
        print(f"one example at a time, not the whole batch at once: {trainer.batch_refusal}")
    report = _Progress(settings.steps, sys.stdout)
    try:
        for record in trainer.run(settings.steps):
            report.update(record)
    except Diverged as exc:
        report.finish()
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    except TrainingError as exc:
        report.finish()
        raise UsageError(f"{args.file}: {exc}") from None
    except KeyboardInterrupt:
        report.finish()
        print(f"stopped after step {trainer.step_count}; nothing written", file=sys.stderr)
        raise
    report.finish()
    print(f"final loss: {trainer.loss():.6g}")
    if trainer.held_out:
        print(f"held-out loss: {trainer.held_out_loss():.6g} ({len(trainer.held_out)} rows "
              f"not trained on)")
    if plane is not None:
        _draw_plane(args.plane, plane, trainer, args.theme)
        print(f"wrote {args.plane}")

    if args.out is not None:
        _write(args.out, doc, trainer, args, settings.schedule)
        print(f"wrote {args.out}")
    return 0


def _write(out: str, doc, trainer: Trainer, args, schedule: Schedule) -> None:
    graph = doc.graph
    trainer.apply(graph)
    try:
        fmt = writer_for(out)
        header = (f"{Path(args.file).name} trained by graphstudio train: {trainer.step_count} "
                  f"steps, {schedule.describe()}, final loss {trainer.loss():.6g}")
        options = {"header": header} if any(o.name == "header" for o in fmt.options) else {}
        save_document(out, graph, doc.view, embed_data=args.embed_data, **options)
    except DatasetError as exc:
        raise UsageError(f"{out}: --embed-data: {exc}") from None
    except ValueError as exc:  # (checked before training; a trained value cannot add to it)
        raise UsageError(f"{out}: cannot write the trained graph: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the file: {exc.strerror or exc}") from None


def _draw_plane(out: str, plane, trainer: Trainer, theme: str) -> None:
    from .render.export import ensure_app
    from .render.plane import plane_image, plane_scene, plane_title
    from .render.style import THEMES

    ensure_app()
    title = (f"{plane_title(plane)} after {trainer.step_count} "
             f"step{'s' * (trainer.step_count != 1)}")
    image = plane_image(plane_scene(plane, trainer.parameters(), title), THEMES[theme])
    if not image.save(out, "PNG"):
        raise UsageError(f"--plane {out}: cannot write the file")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


class _Progress:
    """A progress bar redrawn in place on a terminal; otherwise about ten plain lines."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream = total, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = max(1, total // 10)
        self.drawn = False

    def update(self, r: StepRecord) -> None:
        text = f"step {r.step}/{self.total}  loss {r.loss:.6g}  lr {r.lr:g}"
        if r.held_out_loss is not None:
            text += f"  held-out {r.held_out_loss:.6g}"
        if self.tty:
            width = max(10, min(40, shutil.get_terminal_size().columns - len(text) - 4))
            done = int(width * r.step / max(self.total, 1))
            self.stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {text}\033[K")
            self.stream.flush()
            self.drawn = True
        elif r.step % self.every == 0 or r.step == 1 or r.step == self.total:
            print(text, file=self.stream)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
