"""Regentra core: the helpdesk's domain rules, its one write path and its store.

This package root is the core's public surface: the interfaces (``regentra_tui``,
``regentra_web``) import the core from here and nowhere else, which an import
contract in ``pyproject.toml`` enforces. The modules behind it may be reorganised
freely so long as the names below still resolve (``tests/test_import_hygiene.py``).

Names are imported when first used (PEP 562), not when the package is: a command
that needs only the errors or the settings must not pay for SQLAlchemy, the models
and the Desk (``regentra --version`` took 1.6 s that way).

To export a name: add it to its subject's group in ``_WHERE`` (its module, or
``module:name`` to export it under a clearer name than it has at home), to the
``TYPE_CHECKING`` imports (so mypy sees its type) and to ``__all__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import exports

if TYPE_CHECKING:
    from .ai.analysis import Analysis, flag_names
    from .ai.assistant import Assistant, Draft, answer_of
    from .ai.requests import (
        NO_DAEMON,
        WAIT_SLACK,
        RequestView,
        daemon_running,
        follow_request,
        needs_daemon,
        wait_for_answer,
    )
    from .ai.reviews import (
        AccuracyRow,
        SuggestionRow,
    )
    from .ai.reviews import (
        accuracy as ai_accuracy,
    )
    from .ai.reviews import (
        latest as latest_suggestion,
    )
    from .ai.reviews import (
        suggestions as ai_suggestions,
    )
    from .attachments import (
        OCTET,
        check_file,
        human_size,
        is_text,
        keep_upload,
        limit_bytes,
        looks_like_text,
    )
    from .attachments import summary_line as attachment_summary_line
    from .automation import Rule, Trigger, dump_rules, parse_rules
    from .automation_reads import (
        DryRun,
        RunRow,
    )
    from .automation_reads import (
        dry_run as dry_run_rule,
    )
    from .automation_reads import (
        log as rule_log,
    )
    from .automation_reads import (
        rules as stored_rules,
    )
    from .bulk import bulk_moves
    from .change_feed import ChangeFeed
    from .channels.chat import (
        MAX_BODY_BYTES as CHAT_BODY_BYTES,
    )
    from .channels.chat import (
        SIGNATURE_HEADER as CHAT_SIGNATURE_HEADER,
    )
    from .channels.chat import chat_inbound
    from .channels.chat import signature_ok as chat_signature_ok
    from .channels.message import Attachment as InboundAttachment
    from .channels.message import Inbound
    from .channels.outbound import ReplyReach, reply_reach
    from .channels.quoting import Folded
    from .channels.quoting import fold as fold_quoted
    from .channels.sms import sms_inbound
    from .channels.sms_segments import count as sms_count
    from .clock import Clock, describe_offset, utcnow
    from .config import Settings, load_settings, write_site_config
    from .dates import parse_day, parse_when
    from .demo import load_demo
    from .desk import (
        CascadeResult,
        CustomerReplyResult,
        Desk,
        ReceiveResult,
        Upload,
        resolve_os_technician,
    )
    from .desk.attachments import sms_attachment_note
    from .desk.automations import StoredRule
    from .desk.cc import addresses_in
    from .desk.channels import held_messages, held_source
    from .desk.clients import UNSET
    from .desk.portal import SIGNIN_VALID as PORTAL_SIGNIN_VALID
    from .desk_target import light_database_target
    from .detail_records import EventRow, TicketDetail, TimeRow
    from .doctor import examine as examine_desk
    from .durations import (
        EXAMPLES as DURATION_EXAMPLES,
    )
    from .durations import (
        format_minutes,
        parse_duration,
        parse_minutes,
    )
    from .enums import (
        ActorKind,
        AuthorKind,
        Channel,
        EscalationReason,
        InboundOutcome,
        Priority,
        PriorityChangeSource,
        Role,
        Status,
    )
    from .errors import (
        AlreadyInStatus,
        ChannelError,
        ConflictError,
        DeliveryError,
        IdentityError,
        IllegalTransition,
        LinkError,
        MailboxError,
        ModelError,
        NoChange,
        NotFoundError,
        PermissionDenied,
        PlainUnavailable,
        PriorityRuleError,
        RaceLost,
        RegentraError,
        RuleError,
        RuleViolation,
        SearchBusy,
        SendFailed,
        SmsSendFailed,
        StoreError,
        TwilioError,
        Unanswered,
        ValidationError,
    )
    from .identity import Actor, os_username
    from .jobs import record_once, run_due_jobs
    from .kb import render as render_article
    from .lifecycle import allowed_targets
    from .limits import SUBJECT_MAX, check_day, check_length
    from .locations import site_config_file
    from .plain_reads import (
        PlainDesk,
        open_plain,
        plain_actor,
        plain_clients,
        plain_count_by_status,
        plain_count_tickets,
        plain_first_pages_by_status,
        plain_latest_event_id,
        plain_list_tickets,
        plain_saved_views,
        plain_sla_book,
        plain_technicians,
        plain_ticket_detail,
    )
    from .queries import (
        ClientRow,
        cascade_offer,
        client_rows,
        count_by_status,
        count_tickets,
        first_pages_by_status,
        get_ticket,
        kb_articles,
        latest_event_id,
        list_tickets,
        on_the_board,
        sla_config,
        status_counts,
        ticket_detail,
        ticket_history,
    )
    from .queries import (
        clients as list_clients,
    )
    from .queries import (
        sla_book as read_sla_book,
    )
    from .queries import (
        technicians as list_technicians,
    )
    from .queries.attachments import (
        AttachmentFile,
        AttachmentRow,
        ThreadFiles,
        attachments_of,
        thread_files,
    )
    from .queries.attachments import (
        attachment as read_attachment,
    )
    from .queries.contacts import ContactRow, client_known, contact_rows
    from .queries.public_thread import (
        PortalContact,
        PortalFile,
        PublicThread,
        portal_contact,
        portal_file,
        public_thread,
        ticket_visible,
    )
    from .records import ArticleRecord, TicketRecord
    from .reports import (
        KINDS as REPORT_KINDS,
    )
    from .reports import (
        Period as ReportPeriod,
    )
    from .reports import (
        Report,
    )
    from .reports import (
        as_csv_rows as report_csv_rows,
    )
    from .reports import (
        build as build_report,
    )
    from .search import SearchEngine, Snippet
    from .search.catchup import search_fresh
    from .search.engine import available_procs
    from .seed import has_sla_policies, seed_sla
    from .sharing import (
        ATTACHMENTS as SHARED_ATTACHMENTS,
    )
    from .sharing import (
        DATABASE_NAME as SHARED_DATABASE_NAME,
    )
    from .sharing import (
        DEFAULT_SERVICE_ACCOUNT,
        DEFAULT_SHARED_DIR,
        make_service_dir,
        make_service_file,
        make_shared_dir,
        service_account,
        share_files,
    )
    from .sla import Badge, ClockState, SlaState, format_remaining, wall_remaining
    from .sla import describe as describe_sla
    from .sla_book import SlaBook
    from .spike_reads import SpikeTicket, SpikeView, spike_of
    from .store import Database, upgrade
    from .store.copy import copy_desk
    from .text import json_safe, literal, one_line, undecodable, visible_bytes
    from .ticket_records import UNASSIGNED, SortKey, TicketFilter, TicketRow, board_sort
    from .views import OPEN_STATUSES, View, saved_views
    from .wiring import Wiring, open_database, open_index
    from .worker import LeaseView, WorkerRunner, current_lease
    from .worker.logs import configure_worker_logging
    from .worker.reload import SettingsWatch, reload_settings

_WHERE = {
    # The errors an interface catches: one tree, drawn in errors.py.
    "AlreadyInStatus": ".errors",
    "ChannelError": ".errors",
    "ConflictError": ".errors",
    "DeliveryError": ".errors",
    "IdentityError": ".errors",
    "IllegalTransition": ".errors",
    "LinkError": ".errors",
    "MailboxError": ".errors",
    "ModelError": ".errors",
    "NoChange": ".errors",
    "NotFoundError": ".errors",
    "PermissionDenied": ".errors",
    "PriorityRuleError": ".errors",
    "PlainUnavailable": ".errors",
    "RaceLost": ".errors",
    "RegentraError": ".errors",
    "RuleViolation": ".errors",
    "SearchBusy": ".errors",
    "SendFailed": ".errors",
    "SmsSendFailed": ".errors",
    "StoreError": ".errors",
    "TwilioError": ".errors",
    "Unanswered": ".errors",
    "ValidationError": ".errors",
    # The desk's vocabulary.
    "ActorKind": ".enums",
    "AuthorKind": ".enums",
    "Channel": ".enums",
    "EscalationReason": ".enums",
    "Priority": ".enums",
    "PriorityChangeSource": ".enums",
    "Role": ".enums",
    "Status": ".enums",
    "InboundOutcome": ".enums",
    # Time: the clock, and days and durations as people type them.
    "Clock": ".clock",
    "describe_offset": ".clock",
    "utcnow": ".clock",
    "parse_day": ".dates",
    "parse_when": ".dates",
    "DURATION_EXAMPLES": ".durations:EXAMPLES",
    "format_minutes": ".durations",
    "parse_duration": ".durations",
    "parse_minutes": ".durations",
    # Settings and the composition root that builds a process's desk from them.
    "Settings": ".config",
    "load_settings": ".config",
    "write_site_config": ".config",
    "light_database_target": ".desk_target",
    "site_config_file": ".locations",
    "Wiring": ".wiring",
    "open_database": ".wiring",
    "open_index": ".wiring",
    # Who is acting.
    "Actor": ".identity",
    "os_username": ".identity",
    "resolve_os_technician": ".desk",
    # The store: opened by the composition root, upgraded and copied whole.
    "Database": ".store",
    "upgrade": ".store",
    "copy_desk": ".store.copy",
    # The Desk, the one write path, and what its calls take and give back.
    "CascadeResult": ".desk",
    "CustomerReplyResult": ".desk",
    "Desk": ".desk",
    "ReceiveResult": ".desk",
    "Upload": ".desk",
    "sms_attachment_note": ".desk.attachments",
    "StoredRule": ".desk.automations",
    "addresses_in": ".desk.cc",
    "held_messages": ".desk.channels",
    "held_source": ".desk.channels",
    "UNSET": ".desk.clients",
    # Reads: frozen records of tickets, people and the SLA set-up.
    "ClientRow": ".queries",
    "EventRow": ".detail_records",
    "SortKey": ".ticket_records",
    "TicketDetail": ".detail_records",
    "TicketFilter": ".ticket_records",
    "TicketRow": ".ticket_records",
    "TimeRow": ".detail_records",
    "UNASSIGNED": ".ticket_records",
    # Plain reads: the same records without the ORM, for commands that start fast.
    "PlainDesk": ".plain_reads",
    "open_plain": ".plain_reads",
    "plain_actor": ".plain_reads",
    "plain_clients": ".plain_reads",
    "plain_count_by_status": ".plain_reads",
    "plain_count_tickets": ".plain_reads",
    "plain_first_pages_by_status": ".plain_reads",
    "plain_latest_event_id": ".plain_reads",
    "plain_list_tickets": ".plain_reads",
    "plain_saved_views": ".plain_reads",
    "plain_sla_book": ".plain_reads",
    "plain_technicians": ".plain_reads",
    "plain_ticket_detail": ".plain_reads",
    "board_sort": ".ticket_records",
    "cascade_offer": ".queries",
    "client_rows": ".queries",
    "count_by_status": ".queries",
    "count_tickets": ".queries",
    "first_pages_by_status": ".queries",
    "get_ticket": ".queries",
    "kb_articles": ".queries",
    "latest_event_id": ".queries",
    "list_clients": ".queries:clients",
    "list_technicians": ".queries:technicians",
    "list_tickets": ".queries",
    "on_the_board": ".queries",
    "read_sla_book": ".queries:sla_book",
    "sla_config": ".queries",
    "status_counts": ".queries",
    "ticket_detail": ".queries",
    "ticket_history": ".queries",
    "AttachmentFile": ".queries.attachments",
    "AttachmentRow": ".queries.attachments",
    "ThreadFiles": ".queries.attachments",
    "attachments_of": ".queries.attachments",
    "read_attachment": ".queries.attachments:attachment",
    "thread_files": ".queries.attachments",
    "ContactRow": ".queries.contacts",
    "client_known": ".queries.contacts",
    "contact_rows": ".queries.contacts",
    "ArticleRecord": ".records",
    "TicketRecord": ".records",
    "OPEN_STATUSES": ".views",
    "View": ".views",
    "saved_views": ".views",
    "SpikeTicket": ".spike_reads",
    "SpikeView": ".spike_reads",
    "spike_of": ".spike_reads",
    "ChangeFeed": ".change_feed",
    "bulk_moves": ".bulk",
    # The lifecycle and the SLA clocks (pure rules).
    "allowed_targets": ".lifecycle",
    "Badge": ".sla",
    "ClockState": ".sla",
    "SlaState": ".sla",
    "describe_sla": ".sla:describe",
    "format_remaining": ".sla",
    "wall_remaining": ".sla",
    "SlaBook": ".sla_book",
    # Automations: rules as text, and what they did.
    "Rule": ".automation",
    "RuleError": ".errors",
    "Trigger": ".automation",
    "dump_rules": ".automation",
    "parse_rules": ".automation",
    "DryRun": ".automation_reads",
    "RunRow": ".automation_reads",
    "dry_run_rule": ".automation_reads:dry_run",
    "rule_log": ".automation_reads:log",
    "stored_rules": ".automation_reads:rules",
    # Reports.
    "REPORT_KINDS": ".reports:KINDS",
    "Report": ".reports",
    "ReportPeriod": ".reports:Period",
    "build_report": ".reports:build",
    "report_csv_rows": ".reports:as_csv_rows",
    # Text shown literally, and the limits on what is typed.
    "json_safe": ".text",
    "literal": ".text",
    "one_line": ".text",
    "undecodable": ".text",
    "visible_bytes": ".text",
    "SUBJECT_MAX": ".limits",
    "check_day": ".limits",
    "check_length": ".limits",
    "render_article": ".kb:render",
    # Attachments: the rules every file in or out is held to.
    "check_file": ".attachments",
    "human_size": ".attachments",
    "is_text": ".attachments",
    "limit_bytes": ".attachments",
    "looks_like_text": ".attachments",
    "OCTET": ".attachments",
    "attachment_summary_line": ".attachments:summary_line",
    "keep_upload": ".attachments",
    # Channels: where a reply goes, what a message says this time, what an SMS costs.
    "ReplyReach": ".channels.outbound",
    "reply_reach": ".channels.outbound",
    "fold_quoted": ".channels.quoting:fold",
    "sms_count": ".channels.sms_segments:count",
    # The web service: the chat and SMS webhooks, the portal's forms, and what the
    # portal reads (the public thread only: notes never leave the database for it).
    "CHAT_BODY_BYTES": ".channels.chat:MAX_BODY_BYTES",
    "CHAT_SIGNATURE_HEADER": ".channels.chat:SIGNATURE_HEADER",
    "chat_inbound": ".channels.chat",
    "chat_signature_ok": ".channels.chat:signature_ok",
    "sms_inbound": ".channels.sms",
    "Inbound": ".channels.message",
    "InboundAttachment": ".channels.message:Attachment",
    "Folded": ".channels.quoting",
    "PORTAL_SIGNIN_VALID": ".desk.portal:SIGNIN_VALID",
    "PortalContact": ".queries.public_thread",
    "PortalFile": ".queries.public_thread",
    "PublicThread": ".queries.public_thread",
    "portal_contact": ".queries.public_thread",
    "portal_file": ".queries.public_thread",
    "public_thread": ".queries.public_thread",
    "ticket_visible": ".queries.public_thread",
    # Search.
    "SearchEngine": ".search",
    "Snippet": ".search",
    "search_fresh": ".search.catchup",
    "available_procs": ".search.engine",
    # The AI: analyses and drafts, asked of the daemon and reviewed by people.
    "Analysis": ".ai.analysis",
    "flag_names": ".ai.analysis",
    "Assistant": ".ai.assistant",
    "Draft": ".ai.assistant",
    "answer_of": ".ai.assistant",
    "NO_DAEMON": ".ai.requests",
    "RequestView": ".ai.requests",
    "WAIT_SLACK": ".ai.requests",
    "daemon_running": ".ai.requests",
    "follow_request": ".ai.requests",
    "needs_daemon": ".ai.requests",
    "wait_for_answer": ".ai.requests",
    "AccuracyRow": ".ai.reviews",
    "SuggestionRow": ".ai.reviews",
    "ai_accuracy": ".ai.reviews:accuracy",
    "ai_suggestions": ".ai.reviews:suggestions",
    "latest_suggestion": ".ai.reviews:latest",
    # The worker: its lease, its jobs, its logs and its settings reloaded.
    "LeaseView": ".worker",
    "WorkerRunner": ".worker",
    "current_lease": ".worker",
    "configure_worker_logging": ".worker.logs",
    "SettingsWatch": ".worker.reload",
    "reload_settings": ".worker.reload",
    "record_once": ".jobs",
    "run_due_jobs": ".jobs",
    # Setting a desk up: the demo, the SLA seed, the shared host, the doctor.
    "load_demo": ".demo",
    "has_sla_policies": ".seed",
    "seed_sla": ".seed",
    "examine_desk": ".doctor:examine",
    "DEFAULT_SERVICE_ACCOUNT": ".sharing",
    "DEFAULT_SHARED_DIR": ".sharing",
    "SHARED_ATTACHMENTS": ".sharing:ATTACHMENTS",
    "SHARED_DATABASE_NAME": ".sharing:DATABASE_NAME",
    "make_service_dir": ".sharing",
    "make_service_file": ".sharing",
    "make_shared_dir": ".sharing",
    "service_account": ".sharing",
    "share_files": ".sharing",
}


__getattr__ = exports(__name__, _WHERE)

__all__ = [
    "AccuracyRow",
    "Actor",
    "ActorKind",
    "AlreadyInStatus",
    "Analysis",
    "ArticleRecord",
    "Assistant",
    "AttachmentFile",
    "AttachmentRow",
    "AuthorKind",
    "Badge",
    "CHAT_BODY_BYTES",
    "CHAT_SIGNATURE_HEADER",
    "CascadeResult",
    "ChangeFeed",
    "Channel",
    "ChannelError",
    "ClientRow",
    "Clock",
    "ClockState",
    "ConflictError",
    "ContactRow",
    "CustomerReplyResult",
    "DEFAULT_SERVICE_ACCOUNT",
    "DEFAULT_SHARED_DIR",
    "DURATION_EXAMPLES",
    "Database",
    "DeliveryError",
    "Desk",
    "Draft",
    "DryRun",
    "EscalationReason",
    "EventRow",
    "Folded",
    "IdentityError",
    "IllegalTransition",
    "Inbound",
    "InboundAttachment",
    "InboundOutcome",
    "LeaseView",
    "LinkError",
    "MailboxError",
    "ModelError",
    "NO_DAEMON",
    "NoChange",
    "NotFoundError",
    "OCTET",
    "OPEN_STATUSES",
    "PORTAL_SIGNIN_VALID",
    "PermissionDenied",
    "PlainDesk",
    "PlainUnavailable",
    "PortalContact",
    "PortalFile",
    "Priority",
    "PriorityChangeSource",
    "PriorityRuleError",
    "PublicThread",
    "REPORT_KINDS",
    "RaceLost",
    "ReceiveResult",
    "RegentraError",
    "ReplyReach",
    "Report",
    "ReportPeriod",
    "RequestView",
    "Role",
    "Rule",
    "RuleError",
    "RuleViolation",
    "RunRow",
    "SHARED_ATTACHMENTS",
    "SHARED_DATABASE_NAME",
    "SUBJECT_MAX",
    "SearchBusy",
    "SearchEngine",
    "SendFailed",
    "Settings",
    "SettingsWatch",
    "SlaBook",
    "SlaState",
    "SmsSendFailed",
    "Snippet",
    "SortKey",
    "SpikeTicket",
    "SpikeView",
    "Status",
    "StoreError",
    "StoredRule",
    "SuggestionRow",
    "ThreadFiles",
    "TicketDetail",
    "TicketFilter",
    "TicketRecord",
    "TicketRow",
    "TimeRow",
    "Trigger",
    "TwilioError",
    "UNASSIGNED",
    "UNSET",
    "Unanswered",
    "Upload",
    "ValidationError",
    "View",
    "WAIT_SLACK",
    "Wiring",
    "WorkerRunner",
    "addresses_in",
    "ai_accuracy",
    "ai_suggestions",
    "allowed_targets",
    "answer_of",
    "attachment_summary_line",
    "attachments_of",
    "available_procs",
    "board_sort",
    "build_report",
    "bulk_moves",
    "cascade_offer",
    "chat_inbound",
    "chat_signature_ok",
    "check_day",
    "check_file",
    "check_length",
    "client_known",
    "client_rows",
    "configure_worker_logging",
    "contact_rows",
    "copy_desk",
    "count_by_status",
    "count_tickets",
    "current_lease",
    "daemon_running",
    "describe_offset",
    "describe_sla",
    "dry_run_rule",
    "dump_rules",
    "examine_desk",
    "first_pages_by_status",
    "flag_names",
    "fold_quoted",
    "follow_request",
    "format_minutes",
    "format_remaining",
    "get_ticket",
    "has_sla_policies",
    "held_messages",
    "held_source",
    "human_size",
    "is_text",
    "json_safe",
    "kb_articles",
    "keep_upload",
    "latest_event_id",
    "latest_suggestion",
    "light_database_target",
    "limit_bytes",
    "list_clients",
    "list_technicians",
    "list_tickets",
    "literal",
    "load_demo",
    "load_settings",
    "looks_like_text",
    "make_service_dir",
    "make_service_file",
    "make_shared_dir",
    "needs_daemon",
    "on_the_board",
    "one_line",
    "open_database",
    "open_index",
    "open_plain",
    "os_username",
    "parse_day",
    "parse_duration",
    "parse_minutes",
    "parse_rules",
    "parse_when",
    "plain_actor",
    "plain_clients",
    "plain_count_by_status",
    "plain_count_tickets",
    "plain_first_pages_by_status",
    "plain_latest_event_id",
    "plain_list_tickets",
    "plain_saved_views",
    "plain_sla_book",
    "plain_technicians",
    "plain_ticket_detail",
    "portal_contact",
    "portal_file",
    "public_thread",
    "read_attachment",
    "read_sla_book",
    "record_once",
    "reload_settings",
    "render_article",
    "reply_reach",
    "report_csv_rows",
    "resolve_os_technician",
    "rule_log",
    "run_due_jobs",
    "saved_views",
    "search_fresh",
    "seed_sla",
    "service_account",
    "share_files",
    "site_config_file",
    "sla_config",
    "sms_attachment_note",
    "sms_count",
    "sms_inbound",
    "spike_of",
    "status_counts",
    "stored_rules",
    "thread_files",
    "ticket_detail",
    "ticket_history",
    "ticket_visible",
    "undecodable",
    "upgrade",
    "utcnow",
    "visible_bytes",
    "wait_for_answer",
    "wall_remaining",
    "write_site_config",
]
