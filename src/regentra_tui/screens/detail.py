"""One ticket: header, conversation, notes, time, SLA clocks and linked tickets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from regentra_core import (
    NO_DAEMON,
    WAIT_SLACK,
    AuthorKind,
    Channel,
    ConflictError,
    Desk,
    Draft,
    EventRow,
    NoChange,
    RegentraError,
    ReplyReach,
    Status,
    SuggestionRow,
    TicketDetail,
    addresses_in,
    flag_names,
    fold_quoted,
    reply_reach,
    sms_attachment_note,
)

from ..drafts import change_line as _change_line
from ..drafts import stale_question
from ..key_routing import FLOW_GROUP
from ..messages import DeskChanged, OpenTicket
from ..render import (
    DONE_STYLE,
    clock_text,
    long_text,
    minutes,
    priority_text,
    safe,
    sla_text,
    status_badge,
    styled,
    when,
)
from ..widgets.composer import Composer
from ..widgets.key_footer import KeyFooter
from ..widgets.thread_view import Entry, ThreadView, files_text
from .actions import TicketActions
from .choice_prompt import ChoicePrompt
from .confirm_dialog import ConfirmDialog
from .linked_pickers import ask_open_linked, ask_unlink, spike_lines
from .text_prompt import TextPrompt
from .time_entries import correct_time
from .time_prompt import TimePrompt
from .type_ahead import HoldsKeys

if TYPE_CHECKING:
    from regentra_core import SpikeView, ThreadFiles

_TICKET_ACTIONS = frozenset(
    {
        "reply",
        "note",
        "time",
        "time_entries",
        "status",
        "priority",
        "assign",
        "assign_me",
        "promote",
        "spike_master",
        "link",
        "unlink",
        "cascade",
        "open_linked",
        "draft",
        "insert_draft",
        "edit_cc",
        "attachments",
    }
)
"""Actions that change or depend on the ticket shown (not back, not the quote toggle)."""


class TicketScreen(HoldsKeys, TicketActions):
    """Everything about one ticket, and every action on it."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="detail.back", priority=True),
        Binding("question_mark", "app.help", "Keys", id="detail.help"),
        Binding("1", "home('board')", "Board", id="detail.board", priority=True),
        Binding("2", "home('list')", "List", id="detail.list", priority=True),
        Binding("r", "reply", "Reply", id="detail.reply", priority=True),
        Binding("n", "note", "Note", id="detail.note", priority=True),
        Binding("t", "time", "Log time", id="detail.time", priority=True),
        Binding("T", "time_entries", "Time entries", id="detail.time_entries", priority=True),
        Binding("s", "status", "Status", id="detail.status", priority=True),
        Binding("p", "priority", "Priority", id="detail.priority", priority=True),
        Binding("a", "assign", "Assign", id="detail.assign", priority=True),
        Binding("A", "assign_me", "Take", id="detail.assign_me", priority=True),
        Binding("M", "promote", "Make master", id="detail.promote", priority=True),
        Binding("S", "spike_master", "Spike master", id="detail.spike", priority=True),
        Binding("L", "link", "Link child", id="detail.link", priority=True),
        Binding("U", "unlink", "Unlink", id="detail.unlink", priority=True),
        Binding("C", "cascade", "Cascade", id="detail.cascade", priority=True),
        Binding("o", "open_linked", "Open linked", id="detail.open_linked", priority=True),
        Binding("e", "toggle_quoted", "Quoted text", id="detail.quoted", priority=True),
        Binding("d", "draft", "AI draft", id="detail.draft", priority=True),
        Binding("i", "insert_draft", "Use draft", id="detail.insert_draft", priority=True),
        Binding("w", "edit_cc", "Cc", id="detail.cc", priority=True),
        Binding("f", "attachments", "Files", id="detail.files", priority=True),
    ]

    DEFAULT_CSS = """
    TicketScreen #header { height: auto; padding: 0 1; background: $panel; }
    TicketScreen #body { height: 1fr; }
    TicketScreen #thread { width: 3fr; padding: 1 1 0 1; }
    TicketScreen #side { width: 2fr; min-width: 40; border-left: vkey $panel-lighten-1; }
    TicketScreen .panel { height: auto; padding: 0 1 1 1; }
    TicketScreen .panel-title { text-style: bold; color: $accent; }
    """

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.held = []
        self.detail: TicketDetail | None = None
        self.history: list[EventRow] = []
        """The ticket's audit trail, oldest first (every Event, its source and reason)."""
        self.show_quoted = False
        """Whether customers' quoted history and signatures are unfolded."""
        self.analysis: SuggestionRow | None = None
        self.draft: SuggestionRow | None = None
        """The newest AI draft on this ticket (used or not)."""
        self.drafting: threading.Event | None = None
        """Set while a draft is being made; setting it cancels (``d`` again)."""
        self.via_daemon = False
        """Model drafts are asked of the worker daemon (it holds the model's key)."""
        self.asking_daemon = False
        """The draft being made is asked of the daemon (not made here: after "no
        daemon", the next ``d`` makes the extractive draft in this process)."""
        self.draft_slow = False
        """The daemon has taken longer than the model's timeout and the usual slack
        (its first model call after a start loads the model's client)."""
        self.no_daemon = False
        """The last ``d`` found no daemon to ask: the next makes the extractive draft."""
        self.leaving = threading.Event()
        """Set when the screen goes: a draft asked of the daemon is then left to it."""
        self.reveal_ai = False
        """Scroll the side panel to the AI panel when it is next drawn (a draft asked
        for, or one just made)."""
        self.draft_in_reply: int | None = None
        """The draft put into the reply box, recorded as sent or edited with it."""
        self.spike: SpikeView | None = None
        """The ticket spike this ticket is part of (S makes its master)."""
        self.files: ThreadFiles | None = None
        """The ticket's attachments by message (drawn under each; ``f`` opens them)."""

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="header")
        with Horizontal(id="body"):
            yield ThreadView(id="thread")
            with VerticalScroll(id="side"):
                yield Static(classes="panel", id="sla")
                yield Static(classes="panel", id="time")
                yield Static(classes="panel", id="links")
                yield Static(classes="panel", id="ai")
                yield Static(classes="panel", id="history")
        yield Composer(id="composer")
        yield KeyFooter()

    def on_mount(self) -> None:
        # Drafts kept from an earlier visit (or run) of this ticket come back with it.
        self.composer.store = self.rapp.drafts
        self.composer.restore(self.number, self.rapp.drafts.get(self.number))
        self.refresh_data()

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until this ticket has loaded its actions are off (greyed in the footer): a
        key typed ahead, meant for the screen before, must not act on a ticket that
        is not on screen yet. While the composer has the keys, every one of them is
        text: the screen's single-letter keys step aside (and leave the footer)."""
        focused = self.focused
        if focused is not None and self.composer in focused.ancestors_with_self:
            return False
        if not (self.loaded or self.replaying) and action in _TICKET_ACTIONS:
            return None
        return True

    @property
    def loaded(self) -> bool:
        """Shown, and every key typed while it loaded has been played."""
        return self.detail is not None and not self.held and not self.replaying

    def refresh_data(self) -> None:
        self._load()

    def on_desk_changed(self, message: DeskChanged) -> None:
        """Reload only when this ticket (or one linked to it) changed."""
        linked = {self.number}
        if self.detail is not None:
            t = self.detail.ticket
            linked |= {c.number for c in self.detail.children}
            linked |= {n for n in (t.master, t.follow_up_of) if n}
        if message.everything or linked & message.tickets:
            self.refresh_data()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load(self) -> None:
        try:
            detail = self.rapp.session.detail(self.number)
            history = self.rapp.session.history(self.number)
            ai = self.rapp.session.ai_state(self.number)
            spike = self.rapp.session.spike(self.number)
            files = self.rapp.session.thread_files(self.number)
        except RegentraError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            self.app.call_from_thread(self.dismiss)
            return
        try:
            via_daemon = self.rapp.session.ai_via_daemon()
        except RegentraError:
            via_daemon = False  # the AI settings are unusable: d will say why, not this
        self.post_message(self.Loaded(detail, history, ai, spike, files, via_daemon))

    @dataclass
    class Loaded(Message, bubble=False):
        """What the loading thread read, for the UI thread to store and show."""

        detail: TicketDetail
        history: list[EventRow]
        ai: tuple[SuggestionRow | None, ...]
        spike: SpikeView | None
        files: ThreadFiles
        via_daemon: bool

    def on_ticket_screen_loaded(self, message: Loaded) -> None:
        self.analysis, self.draft = message.ai
        self.via_daemon = message.via_daemon
        self.spike = message.spike
        self.files = message.files
        self._show(message.detail, message.history)

    # -- drawing -------------------------------------------------------------------

    def _show(self, d: TicketDetail, history: list[EventRow] | None = None) -> None:
        self.composer.reach = _reach(d).heading()  # where a reply goes, or why nowhere
        self.composer.by_sms = _reach(d).channel == Channel.SMS
        if self.detail is None:
            kept = [k for k in ("reply", "note") if self.composer.drafts[k].strip()]
            if kept and not self.composer.is_open:  # shown, not focused: keys stay keys
                self.composer.open(kept[0], self.number, d.ticket.status, focus=False)
        if self.detail is None and self.held:
            self.call_later(self.play_held)
        self.detail = d
        self.history = history or []
        t = d.ticket
        subject = safe(t.subject)
        subject.stylize("bold")
        header = styled(f"#{t.number}  ", "bold") + subject
        header += Text("\n")
        header += status_badge(t.status, solid=True) + Text("  ")
        header += Text("Priority ") + priority_text(t.priority)
        why = _priority_reason(self.history)
        if why:
            header += styled(f" ({why})", "dim")
        if t.suggested_priority and t.suggested_priority != t.priority:
            header += Text("  (AI suggests ") + priority_text(t.suggested_priority) + Text(")")
        header += Text("  ·  ") + sla_text(t.sla, done=t.status.is_done)
        header += Text("\nClient ") + safe(t.client)
        if t.client_vip:
            header += styled(" VIP", "bold magenta")
        header += Text("  ·  Contact ") + safe(t.contact)
        reach = t.contact_phone if t.channel == Channel.SMS else t.contact_email
        if reach:
            header += Text(" <") + safe(reach) + Text(">")
        header += Text(f"  ·  via {t.channel.label}")
        if d.chat_agent:
            header += Text(" (agent ") + safe(d.chat_agent) + Text(")")
        header += Text("  ·  Assignee ") + safe(t.assignee or "unassigned")
        header += styled(f"  ·  v{t.version}", "dim")
        if d.cc:  # who else its public replies by mail go to (w edits)
            header += Text("\nCc: ") + safe(", ".join(d.cc))
        if self.spike is not None and self.spike.unlinked:
            header += styled(
                f"\nSpike: {len(self.spike.gathered)} open tickets {self.spike.label}"
                f" · S makes #{self.spike.suggested} the master of the rest",
                "bold yellow",
            )
        if t.channel == Channel.SMS and not self._sms_configured():
            header += styled("\nSMS is not set up on this desk: replies stay queued", "yellow")
        self.query_one("#header", Static).update(header)
        self._show_thread(d)
        self._show_side(d)
        # The ticket's keys come on now: the footer shows them as they are (it
        # would otherwise wait for some other change, and show them greyed).
        self.refresh_bindings()

    def _customer_text(self, text: str, omitted: int) -> Text:
        """A customer's message with what they carried along folded (unless shown)."""
        number = self.number
        folded = fold_quoted(text)
        if self.show_quoted or not folded.hidden:
            return long_text(text, number, omitted)
        lines = folded.hidden_lines
        return long_text(folded.shown, number) + styled(
            f"\n··· {folded.what}, {lines} line{'s' if lines != 1 else ''} folded (e shows)",
            "dim italic",
        )

    def action_toggle_quoted(self) -> None:
        self.show_quoted = not self.show_quoted
        if self.detail is not None:
            self._show_thread(self.detail, keep_scroll=True)
        self.notify(
            "Quoted history and signatures shown"
            if self.show_quoted
            else "Quoted history and signatures folded",
            timeout=2,
        )

    def _show_thread(self, d: TicketDetail, *, keep_scroll: bool = False) -> None:
        t = d.ticket
        entries = [
            Entry(
                styled("Description", "bold")
                + styled(f"  {when(t.created_at)}\n", "dim")
                + self._customer_text(d.description or "(no description)", d.description_omitted)
                + files_text(self.files.opening if self.files else []),
                "customer",
            )
        ]
        for item in d.thread:
            if item.private:
                title = styled("Internal note · private", "bold yellow")
                kind = "note"
            elif item.author_kind == AuthorKind.CUSTOMER:
                title, kind = styled("Customer", "bold"), "customer"
            elif item.author_kind == AuthorKind.SYSTEM:
                title, kind = styled("System", "bold"), "system"
            else:
                title, kind = styled("Technician", "bold"), "technician"
            head = title + Text("  ") + safe(item.author)
            if item.unverified:
                head += styled("  unverified sender", "bold yellow")
            head += styled(f"  {when(item.at)}", "dim")
            if item.delivery:
                failed = item.delivery.startswith("failed")
                head += styled(f"  · {item.delivery}", "bold red" if failed else "dim")
            head += Text("\n")
            if item.author_kind == AuthorKind.CUSTOMER and not item.private:
                body = self._customer_text(item.body, item.omitted)
            else:
                body = long_text(item.body, t.number, item.omitted)
            if item.kind == "reply" and item.reply_id is not None and self.files:
                body += files_text(self.files.by_reply.get(item.reply_id, []))
            entries.append(Entry(head + body, kind))
        if d.resolution:
            entries.append(
                Entry(styled("Resolution\n", "bold green") + safe(d.resolution, flat=False))
            )
        # The newest message in view (what the ticket was opened to read), unless the
        # quoted history was just unfolded where the technician is reading.
        self.query_one(ThreadView).show(entries, keep_scroll=keep_scroll)

    def _show_side(self, d: TicketDetail) -> None:
        t = d.ticket
        sla = styled("SLA", "bold") + Text("\n")
        if t.sla is None:
            sla += styled("No SLA policy applies.", "dim")
        else:
            sla += styled(f"policy {t.sla.policy}\n", "dim")
            sla += clock_text("response", t.sla.response) + Text("\n")
            sla += clock_text("resolution", t.sla.resolution)
        self.query_one("#sla", Static).update(sla)

        time = styled("Time", "bold") + Text(
            f"  {minutes(d.total_minutes)} total, {minutes(d.billable_minutes)} billable\n"
        )
        for e in d.time_entries[-8:]:
            kind = "" if e.billable else " (non-billable)"
            time += (
                Text(f"{e.work_date:%d %b} {e.technician} {minutes(e.minutes)}{kind} ")
                + safe(e.note, limit=30)
                + Text("\n")
            )
        self.query_one("#time", Static).update(time)

        links = styled("Linked tickets", "bold") + Text("\n")
        if t.is_master:
            links += styled(f"Master of {len(d.children)} child ticket(s)\n", "cyan")
            for c in d.children:
                badge = status_badge(c.status)
                badge.pad_right(13 - badge.cell_len)
                line = Text(f"  #{c.number} ") + badge + safe(c.subject, limit=22)
                if c.status.is_done:
                    line.stylize(DONE_STYLE)
                links += line + Text("\n")
        if t.master:
            links += styled(f"Child of master #{t.master}\n", "cyan")
        if t.follow_up_of:
            links += Text(f"Follow-up of #{t.follow_up_of}\n")
        for n in d.follow_ups:
            links += Text(f"Followed up by #{n}\n")
        if not (t.is_master or t.master or t.follow_up_of or d.follow_ups):
            links += styled("None. M makes this a master, L links a child.", "dim")
        self.query_one("#links", Static).update(links)

        self.query_one("#history", Static).update(_history_text(self.history))
        self._show_ai()

    def _show_ai(self) -> None:
        panel = self.query_one("#ai", Static)
        panel.update(
            ai_panel(
                self.analysis,
                self.draft,
                drafting=self.drafting is not None,
                via_daemon=self.asking_daemon,
                slow=self.draft_slow,
                no_daemon=self.no_daemon,
            )
        )
        if self.reveal_ai:
            # Below the SLA and links on a small terminal: bring it into view.
            self.reveal_ai = False
            panel.call_after_refresh(panel.scroll_visible, top=True, animate=False)

    # -- actions -------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        if self.drafting is not None:
            # Stop waiting for the daemon; what it drafts is in the queue next time.
            self.leaving.set()
            self.drafting.set()
        if self.draft_in_reply is not None:
            # The reply box goes with the screen, and the draft in it unsent.
            desk, draft = self.rapp.session.desk(), self.draft_in_reply
            self.draft_in_reply = None
            self.app.run_worker(lambda: desk.discard_draft(draft), thread=True, exit_on_error=False)

    def action_home(self, which: str) -> None:
        """Straight to the board or the list, however many tickets deep (``:N`` each
        open one more screen; Esc walks back through all of them)."""
        from .main import MainScreen

        while not isinstance(self.app.screen, MainScreen) and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        main = self.app.screen
        if isinstance(main, MainScreen):
            main.action_show(which)

    def _version(self) -> int | None:
        return self.version_of(self.detail.ticket) if self.detail else None

    def action_reply(self) -> None:
        if self.detail is not None:
            self.composer.open(
                "reply",
                self.number,
                self.detail.ticket.status,
                version=self._version(),
                now=self.rapp.session.now(),
            )

    def action_attachments(self) -> None:
        """The ticket's files: shown inline, saved to a path, piped to a command."""
        from .attachments import AttachmentsScreen

        self.app.push_screen(AttachmentsScreen(self.number))

    def action_note(self) -> None:
        if self.detail is not None:
            self.composer.open(
                "note",
                self.number,
                self.detail.ticket.status,
                version=self._version(),
                now=self.rapp.session.now(),
            )

    # -- AI drafts ---------------------------------------------------------------

    def action_draft(self) -> None:
        """Ask for a reply draft in a worker thread; ``d`` again while it runs cancels.

        With a model whose key only the daemon holds, the draft is a request the daemon
        answers: the panel says so at once and stays usable, and the thread waits for
        the answer. With no daemon to ask, the panel says so and the next ``d`` makes
        the extractive draft (no model, no secret).
        """
        if self.drafting is not None:
            self.drafting.set()
            self.drafting = None
            self._show_ai()
            self.notify("Draft cancelled", timeout=2)
            return
        cancel = self.drafting = threading.Event()
        extractive, self.no_daemon = self.no_daemon, False
        ask_daemon = self.via_daemon and not extractive
        self.asking_daemon, self.draft_slow = ask_daemon, False
        self.reveal_ai = True
        self._show_ai()
        session, number, leaving = self.rapp.session, self.number, self.leaving
        unused = self.draft.id if self.draft and self.draft.outcome is None else None
        if unused is not None and unused == self.draft_in_reply:
            unused = None  # it is in the reply box: sending it records what became of it

        def make() -> None:
            try:
                if ask_daemon and not session.daemon_running():
                    self.app.call_from_thread(self._no_daemon, cancel)
                    return
                if unused is not None:
                    session.desk().discard_draft(unused)  # replaced by the new one
                if ask_daemon:
                    made = asked(session.desk())
                else:
                    assistant = session.ai().without_model() if extractive else session.ai()
                    made = assistant.draft(session.desk(), number, cancelled=cancel.is_set)
            except RegentraError as exc:
                self.app.call_from_thread(self._drafted, cancel, None, str(exc))
                return
            self.app.call_from_thread(self._drafted, cancel, made, None)

        def asked(desk: Desk) -> Draft | None:
            request = desk.request_ai(number, "draft")
            usual = session.settings.ai_timeout_seconds + WAIT_SLACK
            view = session.follow_request(request.id, stop=cancel, until=usual)
            if view is not None and view.pending and not cancel.is_set():
                # Longer than usual, with a daemon still there: say so, and wait on.
                self.app.call_from_thread(self._draft_is_slow, cancel)
                view = session.follow_request(request.id, stop=cancel)
            if view is None:
                raise RegentraError(
                    "No worker daemon holds the lease any more: the draft waits for the "
                    "next one to start (ask an admin to start regentra-worker)"
                )
            if cancel.is_set() and view.pending:
                if not leaving.is_set():
                    desk.fail_ai_request(request.id, f"cancelled by {desk.actor.name}")
                return None
            if view.state == "failed":
                raise RegentraError(f"The worker daemon gave up the draft: {view.error}")
            answer = session.answer_of(view)
            assert isinstance(answer, Draft)
            return answer

        self.run_worker(make, thread=True, group="ai-draft", exit_on_error=False)

    def _draft_is_slow(self, cancel: threading.Event) -> None:
        if cancel.is_set() or self.drafting is not cancel:
            return
        self.draft_slow = True
        self._show_ai()

    def _no_daemon(self, cancel: threading.Event) -> None:
        if cancel.is_set() or self.drafting is not cancel:
            return
        self.drafting = None
        self.no_daemon = True
        self._show_ai()
        self.notify(f"{NO_DAEMON}; d makes an extractive draft now", timeout=6)

    def _drafted(self, cancel: threading.Event, made: Draft | None, error: str | None) -> None:
        if cancel.is_set() or self.drafting is not cancel:
            return  # cancelled (or superseded): nothing was recorded for it
        self.drafting = None
        if error is not None:
            self._show_ai()
            self._refused(error)
            return
        if made is not None and made.fallback:
            self.notify(f"The model was not used ({made.fallback}): extractive draft", timeout=4)
        self.reveal_ai = True
        self.refresh_data()

    def action_insert_draft(self) -> None:
        d, draft = self.detail, self.draft
        if d is None:
            return
        if draft is None or draft.outcome is not None:
            self._refused("no unused AI draft on this ticket: d makes one")
            return
        self.draft_in_reply = draft.id
        self.composer.insert(
            draft.body,
            self.number,
            d.ticket.status,
            version=self._version(),
            now=self.rapp.session.now(),
        )

    def on_composer_submitted(
        self, message: Composer.Submitted, *, expected: int | None = None
    ) -> None:
        """Send, expecting the version the draft began on (``expected``: the version
        the technician agreed to send on after being told what changed)."""
        session = self.rapp.session
        desk = session.desk()
        number = self.number
        version = expected or (message.version if message.version is not None else None)
        version = version if version is not None else self._version()
        kind, text, then = message.kind, message.text, message.then
        draft = self.draft_in_reply if kind == "reply" else None
        paths = message.files

        def send() -> None:
            try:
                if kind == "reply":
                    uploads = session.uploads(paths)  # checked again as it goes
                    session.desk().add_technician_reply(
                        number,
                        text,
                        expected_version=version,
                        then=then,
                        draft=draft,
                        attachments=uploads,
                    )
                else:
                    desk.add_note(number, text)
            except ConflictError as exc:
                if kind == "reply" and message.started_at is not None:
                    self._stale_reply(message, exc)
                    return
                self.app.call_from_thread(self.composer.failed, str(exc), conflict=True)
                self.app.call_from_thread(self.refresh_data)
                return
            except RegentraError as exc:
                self.app.call_from_thread(self.composer.failed, str(exc), conflict=False)
                return
            reach = _reach(self.detail) if self.detail is not None else None
            said = reach.after_send() if reach is not None else "Reply sent"
            if reach is not None and reach.channel == Channel.SMS and not self._sms_configured():
                said = "Reply queued: SMS is not set up on this desk (it goes once it is)"
            done = said if kind == "reply" else "Note added"
            if paths and reach is not None and reach.channel == Channel.SMS:
                done += f" ({sms_attachment_note(len(paths))})"
            elif paths:
                done += f" with {len(paths)} attachment{'s' if len(paths) != 1 else ''}"
            if then is not None:
                done += f"; #{number} is now {then.label}"
            self.app.call_from_thread(self._composed, done, then)

        self.run_worker(send, thread=True, group="compose", exit_on_error=False)

    def _sms_configured(self) -> bool:
        return bool(getattr(self.app, "sms_configured", True))

    def _stale_reply(self, message: Composer.Submitted, exc: ConflictError) -> None:
        """(Worker thread.) The ticket changed after the draft began. Changes of our
        own (a status set while the draft was hidden) are no news: send. Someone
        else's are named, and the technician chooses: send anyway, or keep editing."""
        me = self.rapp.session.username
        since = message.started_at
        assert since is not None
        try:
            history = self.rapp.session.history(self.number)
            changes = [e for e in history if e.at >= since and e.actor != me]
        except RegentraError as err:
            self.app.call_from_thread(self.composer.failed, str(err), conflict=True)
            return
        if not changes:
            self.app.call_from_thread(self.on_composer_submitted, message, expected=exc.actual)
            return
        self.app.call_from_thread(self._ask_stale, message, exc.actual, changes)

    def _ask_stale(self, message: Composer.Submitted, actual: int, changes: list[EventRow]) -> None:
        self.refresh_data()
        question = stale_question(self.number, changes)

        def answered(send: bool | None) -> None:
            if send:
                self.on_composer_submitted(message, expected=actual)
                return
            self.composer.sending = False
            self.composer.stale(actual, self.rapp.session.now())
            self.composer.open("reply", self.number, self.composer.status or Status.OPEN)
            self.composer.failed(question, conflict=True)

        detail = "\n".join(_change_line(e) for e in changes[-5:])
        self.app.push_screen(
            ConfirmDialog(question + ". Send anyway (y) or keep editing (n)?", detail), answered
        )

    def _composed(self, done: str, then: Status | None = None) -> None:
        if self.composer.kind == "reply":
            self.draft_in_reply = None
        self.composer.sent()
        self.notify(done, timeout=3)
        self.refresh_data()
        if then is not None:  # reply-and-resolve asks about the children as s does
            self.offer_cascade(self.number, then)

    def action_time(self) -> None:
        desk = self.rapp.session.desk()
        self.app.push_screen(
            TimePrompt(
                self.number,
                lambda minutes, billable, note: desk.log_time(
                    self.number, minutes, billable=billable, note=note
                ),
            ),
            lambda ok: self.refresh_data() if ok else None,
        )

    def action_time_entries(self) -> None:
        """Edit or remove a time entry (a mistyped one: the form checks as ``t``'s)."""
        if self.detail:
            correct_time(self, self.number, self.detail.time_entries)

    def action_status(self) -> None:
        if self.detail:
            self.ask_status(self.detail.ticket)

    def action_priority(self) -> None:
        if self.detail:
            self.ask_priority(self.detail.ticket)

    def action_assign(self) -> None:
        if self.detail:
            self.ask_assignee(self.detail.ticket)

    def action_assign_me(self) -> None:
        if self.detail:
            self.assign_to_me(self.detail.ticket)

    def action_spike_master(self) -> None:
        spike = self.spike
        if spike is None:
            self.notify(f"#{self.number} is not part of a ticket spike", timeout=3)
            return
        if not spike.unlinked:
            self.notify(f"Every ticket of this spike is under #{spike.suggested}", timeout=3)
            return
        desk = self.rapp.session.desk()
        numbers = ", ".join(f"#{n}" for n in spike.unlinked)

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_desk(
                    lambda: desk.make_spike_master(self.number),
                    success=f"#{spike.suggested} is the master of {numbers}",
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Make #{spike.suggested} the master of this spike?",
                f"{len(spike.gathered)} open tickets {spike.label}. "
                f"Linked under #{spike.suggested}:\n"
                + spike_lines(spike.tickets, spike.unlinked)
                + "\nA reply or resolution there can then cascade to them.",
            ),
            answered,
        )

    def action_promote(self) -> None:
        desk = self.rapp.session.desk()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_desk(
                    lambda: desk.promote(self.number), success=f"#{self.number} is a master"
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Make #{self.number} a master ticket?",
                "Child tickets can then be linked to it, and its status, assignee, "
                "resolution and replies cascaded to them.",
            ),
            answered,
        )

    def action_link(self) -> None:
        d = self.detail
        if d is None:
            return
        master = d.ticket
        desk = self.rapp.session.desk()

        def chosen(child: str | None) -> None:
            if child:
                self.run_desk(
                    lambda: desk.link(self.number, int(child)),
                    success=f"#{child} linked under #{self.number}",
                )

        prompt = ChoicePrompt(
            f"Link a child under #{master.number} {_clip(master.subject, 36)}",
            [],
            "loading open tickets…",
            typed=lambda text: (
                text.strip().lstrip("#") if text.strip().lstrip("#").isdigit() else None
            ),
        )
        self.app.push_screen(prompt, chosen)

        def offer() -> None:
            rows = self.rapp.session.link_candidates(master)
            choices = [
                (f"#{r.number}  {_clip(r.subject, 34)}  · {r.status.label}", str(r.number))
                for r in rows
            ]
            whose = f"open tickets of {master.client}" if master.client else "open tickets"
            note = f"{len(rows)} {whose}; or type any ticket number"
            self.app.call_from_thread(prompt.set_choices, choices, note)

        self.run_worker(offer, thread=True, group="link-candidates", exit_on_error=False)

    def action_unlink(self) -> None:
        d = self.detail
        if d is None:
            return
        desk = self.rapp.session.desk()
        if d.ticket.master:
            self.run_desk(lambda: desk.unlink(self.number), success=f"#{self.number} unlinked")
        elif d.children:

            def chosen(v: str | None) -> None:
                if v:
                    self.run_desk(lambda: desk.unlink(int(v)), success=f"#{v} unlinked")

            ask_unlink(self, d, chosen)
        else:
            self._refused(f"#{self.number} has no links to undo")

    def action_cascade(self) -> None:
        d = self.detail
        if d is None or not d.ticket.is_master:
            self._refused(f"#{self.number} is not a master ticket")
            return
        self._cascade(d)

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _cascade(self, d: TicketDetail) -> None:
        """What to hand down to the children, then (a reply) its text or (the rest)
        a yes, then the cascade."""
        desk, master = self.rapp.session.desk(), d.ticket
        choices = [
            (f"Status: {master.status.label}", "status"),
            (f"Assignee: {master.assignee or 'unassigned'}", "assignee"),
            ("Resolution note", "resolution"),
            ("A reply to every open child…", "reply"),
        ]
        what = await self.app.push_screen_wait(
            ChoicePrompt(f"Cascade from #{self.number} to its children", choices)
        )
        if what == "reply":
            prompt = TextPrompt(
                f"Reply on every open child of #{self.number}",
                lambda text: desk.cascade(self.number, reply=text),
            )
            if await self.app.push_screen_wait(prompt):
                self.refresh_data()
            return
        number, assignee = self.number, master.assignee
        changes: dict[str | None, tuple[str, Callable[[], object]]] = {
            "status": (
                f"status {master.status.label}",
                lambda: desk.cascade(number, status=master.status),
            ),
            "resolution": ("the resolution note", lambda: desk.cascade(number, resolution=True)),
        }
        if assignee:
            changes["assignee"] = (
                f"assignee {assignee}",
                lambda: desk.cascade(number, assignee=assignee),
            )
        elif what == "assignee":
            self._refused("assign the master first")
        if what not in changes:
            return
        label, change = changes[what]
        open_children = [c for c in d.children if not c.status.is_done]
        listed = ", ".join(f"#{c.number}" for c in open_children[:20]) or "none open"
        asked = ConfirmDialog(
            f"Apply {label} to {len(open_children)} open child ticket(s) of #{self.number}?",
            listed,
        )
        if await self.app.push_screen_wait(asked):
            done, result = await self.write(change)
            if done:
                self._report_cascade(result)

    def action_edit_cc(self) -> None:
        """Edit who else the ticket's public replies by mail are copied to: the list
        on one line, commas between (empty: nobody). A bad address keeps the prompt
        open with the reason; the change is the Desk's, one Event."""
        d = self.detail
        if d is None:
            return
        desk, version = self.rapp.session.desk(), self._version()

        def save(text: str) -> None:
            try:
                desk.change_cc(self.number, replace=addresses_in(text), expected_version=version)
            except NoChange:
                pass  # saved as it was: nothing to record

        self.app.push_screen(
            TextPrompt(
                f"Cc of #{self.number}: who else replies by mail go to (commas between; "
                "empty for nobody)",
                save,
                initial=", ".join(d.cc),
                single_line=True,
            ),
            lambda ok: self.refresh_data() if ok else None,
        )

    def action_open_linked(self) -> None:
        d = self.detail
        if d is None:
            return

        def chosen(value: str | None) -> None:
            if value:
                self.post_message(OpenTicket(int(value)))

        if not ask_open_linked(self, d, chosen):
            self._refused("no linked tickets")


DRAFT_LINES = 14
"""Lines of a draft shown in the side panel (``i`` puts all of it in the reply)."""


def ai_panel(
    analysis: SuggestionRow | None,
    draft: SuggestionRow | None,
    *,
    drafting: bool,
    via_daemon: bool = False,
    slow: bool = False,
    no_daemon: bool = False,
) -> Text:
    """The side panel: the analyzer's suggestion and flags, then the reply draft.

    ``via_daemon``: the draft being made is asked of the worker daemon (else it is
    made here, from the knowledge base or by the model); ``slow``: the daemon has
    taken longer than usual and is still at it."""
    text = styled("AI", "bold")
    if analysis is None:
        text += styled("\nNot analysed yet (the worker analyses new messages).", "dim")
    else:
        text += Text("\nSuggests ")
        if analysis.suggested_priority:
            text += priority_text(analysis.suggested_priority)
        for flag in flag_names(analysis.security, analysis.frustration):
            text += Text("  ") + styled(f" {flag} ", "bold reverse red")
        text += styled(f"  {analysis.source}, confidence {analysis.confidence:.2f}", "dim")
        text += Text("\n") + safe(analysis.reason, limit=200)
    text += Text("\n\n") + styled("Reply draft", "bold")
    if drafting and via_daemon:
        how = "the worker daemon asks the model"
        if slow:
            how += ", longer than usual; its first draft after a start loads the model"
        return text + styled(f"\nDrafting… ({how})  d cancels", "italic")
    if drafting:
        return text + styled("\nDrafting from the knowledge base…  d cancels", "italic")
    if no_daemon:
        text += styled(f"\n{NO_DAEMON}.", "bold yellow")
        text += styled("\nd makes an extractive draft now (the knowledge base, no model).", "dim")
        if draft is None:
            return text
    if draft is None:
        return text + styled("\nNone yet: d drafts one from the knowledge base.", "dim")
    label = "model" if draft.source == "model" else "extractive (no model)"
    text += styled(f"  {label}, {when(draft.created_at)}", "dim")
    if draft.articles:
        text += Text("\nFrom ") + safe("; ".join(draft.articles), limit=120)
    if draft.outcome is not None:
        text += styled(f"\nUsed: {draft.outcome}. d drafts another.", "dim")
        return text
    lines = draft.body.splitlines()
    text += Text("\n") + safe("\n".join(lines[:DRAFT_LINES]), flat=False)
    if len(lines) > DRAFT_LINES:
        text += styled(f"\n… {len(lines) - DRAFT_LINES} more lines", "dim")
    return text + styled("\ni puts it in the reply to edit and send; d drafts again.", "dim")


HISTORY_SHOWN = 40
"""The newest events shown; ``regentra ticket history N`` prints them all."""


def _priority_reason(history: list[EventRow]) -> str:
    """Why the priority is what it is: the last change's source, or the customer's."""
    for event in reversed(history):
        if event.kind == "priority_changed":
            how = (event.detail or "").split(";")[0].replace("source ", "")
            by = f" by {event.actor}"
            rule = event.actor.removeprefix("automation:")
            if rule != event.actor and how.endswith(f"rule {rule}"):
                by = ""  # "automation, rule X" names it: not "… by automation:X" again
            return f"{how or 'changed'}{by}, {event.at:%d %b %H:%M}"
    return "as the customer set it" if history else ""


def _history_text(history: list[EventRow]) -> Text:
    text = styled("History", "bold")
    if len(history) > HISTORY_SHOWN:
        text += styled(f"  (last {HISTORY_SHOWN} of {len(history)})", "dim")
    for event in history[-HISTORY_SHOWN:]:
        text += Text("\n") + styled(f"{event.at:%d %b %H:%M} ", "dim")
        text += Text(event.kind.replace("_", " "))
        if event.from_value or event.to_value:
            text += Text(f" {event.from_value or '-'} → {event.to_value or '-'}")
        text += styled(f"  {event.actor} via {event.source}", "dim")
        if event.detail:
            text += Text("\n  ") + safe(event.detail, limit=120)
    return text


def _clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, for prompt titles and choices."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _ticket_number(text: str) -> str | None:
    """``1042`` or ``#1042`` typed into a picker: that ticket's number."""
    number = text.strip().lstrip("#")
    return number if number.isdigit() else None


def _reach(d: TicketDetail) -> ReplyReach:
    """Where a technician's reply on the ticket goes, or why nowhere."""
    t = d.ticket
    return reply_reach(t.channel, t.contact_email, t.contact_phone)
