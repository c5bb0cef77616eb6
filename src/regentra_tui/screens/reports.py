"""Reports in the app: the same tables as ``regentra report``, with a chart of the trend.

s SLA, t time, v volume, b backlog; [ and ] step the period (7, 30, 90, 365 days
up to today). The chart draws what reads better as a picture: tickets or hours a
day, compliance a week, the backlog by age. The table reads as the command line's
does (``report_text``: hours and minutes, short two-line headers that fit 120
columns).
"""

from __future__ import annotations

from rich.console import JustifyMethod
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from regentra_core import RegentraError, Report, ReportPeriod

from ..report_text import TEXT_COLUMNS, cell, header
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter

PERIODS = (7, 30, 90, 365)
"""Days a report covers, stepped by [ and ]."""

NAMES = {"sla": "SLA", "time": "Time", "volume": "Volume", "backlog": "Backlog"}


class ReportsScreen(Screen[None]):
    """One report at a time: its table above, its chart below."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="reports.back"),
        Binding("s", "show('sla')", "SLA", id="reports.sla"),
        Binding("t", "show('time')", "Time", id="reports.time"),
        Binding("v", "show('volume')", "Volume", id="reports.volume"),
        Binding("b", "show('backlog')", "Backlog", id="reports.backlog"),
        Binding("left_square_bracket", "period(-1)", "Shorter", id="reports.shorter"),
        Binding("right_square_bracket", "period(1)", "Longer", id="reports.longer"),
    ]

    DEFAULT_CSS = """
    ReportsScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    ReportsScreen DataTable { height: 1fr; max-height: 50%; }
    ReportsScreen PlotextPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, session: DeskSession, kind: str = "volume", days: int = 30) -> None:
        super().__init__()
        self.session = session
        self.kind = kind
        self.days = days

    def compose(self) -> ComposeResult:
        yield Label("Reports", id="title")
        yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2)
        yield PlotextPlot()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    def action_show(self, kind: str) -> None:
        self.kind = kind
        self.reload()

    def action_period(self, step: int) -> None:
        at = PERIODS.index(self.days) if self.days in PERIODS else 1
        self.days = PERIODS[max(0, min(len(PERIODS) - 1, at + step))]
        self.reload()

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def reload(self) -> None:
        period = ReportPeriod.last(self.days, self.session.now().date())
        try:
            report = self.session.report(self.kind, period)
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show, report)

    def _show(self, report: Report) -> None:
        tabs = "  ".join(
            f"[{key}] {name}" if kind != report.kind else f"<{name}>"
            for kind, name, key in (
                ("sla", "SLA", "s"),
                ("time", "Time", "t"),
                ("volume", "Volume", "v"),
                ("backlog", "Backlog", "b"),
            )
        )
        scope = (
            "open tickets now"
            if report.period is None
            else f"last {self.days} days ({report.period.start} to {report.period.end})"
        )
        self.query_one("#title", Label).update(Text(f"{report.title}: {scope}   {tabs}"))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        justify: list[JustifyMethod] = [
            "left" if c in TEXT_COLUMNS else "right" for c in report.columns
        ]
        table.add_columns(
            *(Text(header(c), justify=j) for c, j in zip(report.columns, justify, strict=True))
        )
        for row in report.rows:
            table.add_row(
                *(
                    Text(cell(c, v), justify=j)
                    for c, v, j in zip(report.columns, row, justify, strict=True)
                )
            )
        self._chart(report)

    def _chart(self, report: Report) -> None:
        widget = self.query_one(PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        if report.kind == "volume" and report.days:
            totals = [sum(day) for day in zip(*report.series.values(), strict=True)]
            plt.bar(list(range(len(report.days))), totals or [0] * len(report.days), color="cyan")
            spots, dates = _ticks(report)
            plt.xticks([float(n) for n in spots], dates)
            plt.yticks(*_counts(max(totals, default=0)))
            plt.title("tickets created a day")
        elif report.kind == "time" and report.days:
            x = list(range(len(report.days)))
            hours = [[v / 60 for v in report.series[n]] for n in ("billable", "non-billable")]
            # plotext takes ``labels`` and ``color`` a series; its bundled stub does not
            plt.stacked_bar(  # type: ignore[call-arg]
                x,
                hours,
                labels=["billable", "non-billable"],
                color=["green", "orange"],  # type: ignore[arg-type]
            )
            spots, dates = _ticks(report)
            plt.xticks([float(n) for n in spots], dates)
            plt.title("hours worked a day")
        elif report.kind == "sla":
            weeks = [r for r in report.records() if r["by"] == "week of"]
            if weeks:
                plt.bar(
                    [str(r["group"])[5:] for r in weeks],
                    [float(str(r["response_met_pct"] or 0)) for r in weeks],
                )
                plt.ylim(0, 100)
                plt.title("first responses met, % a week")
        elif report.kind == "backlog":
            rows = [r for r in report.records() if r["age"] != "(total)"]
            totals = [int(str(r["total"])) for r in rows]
            plt.bar([str(r["age"]) for r in rows], totals, color="cyan")
            plt.yticks(*_counts(max(totals, default=0)))
            plt.title("open tickets by age")
        widget.refresh()


def _counts(highest: int) -> tuple[list[float], list[str]]:
    """Whole-number ticks for a count axis (plotext would print 2.7, 5.3...)."""
    step = max(1, -(-highest // 5))
    marks = list(range(0, highest + step, step))
    return [float(m) for m in marks], [str(m) for m in marks]


def _ticks(report: Report) -> tuple[list[int], list[str]]:
    """About a dozen dated ticks along the days, so a long period stays legible."""
    step = max(1, len(report.days) // 12)
    spots = list(range(0, len(report.days), step))
    return spots, [f"{report.days[n]:%m-%d}" for n in spots]
