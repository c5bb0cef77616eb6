"""The composition root: the database, the search index and the jobs, built once.

The daemon (``regentra worker``), ``regentra worker --once`` and the worker embedded
in every technician's app all start here, so they cannot drift apart. Jobs that
hold channel secrets (IMAP, SMTP, Twilio) are built only for the
daemon and ``--once``, which run as the service account; the embedded worker runs
the timers and the index only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .clock import Clock, utcnow
from .config import Settings
from .config_groups import Secret
from .desk import Desk, ReceiveResult, Step
from .enums import Channel
from .errors import ValidationError
from .identity import Actor
from .search import SearchEngine, index_path_for, open_engine
from .search.engine import available_procs
from .sharing import adopt_umask
from .store import Database, normalise_url, upgrade

if TYPE_CHECKING:
    from .ai.assistant import Assistant
    from .channels.imap import ImapMailbox
    from .channels.message import Inbound
    from .channels.report import PollReport
    from .channels.twilio import TwilioSms
    from .worker import Job, WorkerRunner

# The channel modules (imapclient, smtplib, the mail parser) are imported where a
# job is built: most commands never touch a channel and should not pay for them.


AI_ANALYZE_SECONDS = 5.0
"""How often the analyzer looks for new tickets and customer replies."""

AI_REQUEST_SECONDS = 1.0
"""How often the daemon looks for drafts and analyses a technician is waiting for."""

HOUSEKEEPING_SECONDS = 3600.0
"""How often held-back mail past its retention and stray ``.part`` files are removed."""


def desk_folder(settings: Settings, target: str) -> Path:
    """The folder whose kind (shared or private) decides the modes of new files."""
    url = normalise_url(target)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).parent
    return settings.data_dir


def open_database(settings: Settings, target: str, *, create: bool = False) -> Database:
    """Open (and migrate) the desk at ``target``, file modes set by the desk first."""
    adopt_umask(desk_folder(settings, target))
    db = Database(target, create=create)
    upgrade(db)
    return db


def index_folder(settings: Settings, db: Database) -> Path:
    """Where the Whoosh index of ``db`` lives on this host."""
    return settings.index_dir or index_path_for(db.url, settings.data_dir)


def open_index(settings: Settings, db: Database) -> SearchEngine:
    """The configured search engine (``search_engine``) of ``db``."""
    return open_engine(settings.search_engine, db, index_folder(settings, db))


@dataclass
class Wiring:
    """What one process runs against: settings, database, index."""

    settings: Settings
    db: Database
    index: SearchEngine
    clock: Clock = utcnow

    def mailbox(self) -> ImapMailbox:
        """The configured IMAP mailbox (its password read from its secret file)."""
        from .channels.imap import ImapMailbox

        imap = self.settings.imap
        if not imap.configured:
            raise ValidationError("IMAP is not set up: set imap_host and imap_user")
        assert imap.host is not None and imap.user is not None
        return ImapMailbox(
            host=imap.host,
            port=imap.port,
            security=imap.security,
            user=imap.user,
            password=_required_secret(imap.password, "IMAP"),
            folder=imap.folder,
            processed_folder=imap.processed_folder,
            ca_file=str(imap.ca_file) if imap.ca_file else None,
        )

    def parse_mail(self, raw: bytes) -> Inbound:
        """One message parsed as every mail door parses it (attachments into the desk)."""
        from .channels.mail import parse_mail

        return parse_mail(
            raw,
            received_at=self.clock(),
            attachments_dir=self.settings.attachments_dir(),
            max_attachment_bytes=int(self.settings.max_attachment_mb * 1024 * 1024),
        )

    def receive_mail(self, batch: list[tuple[Inbound, Step | None]]) -> list[ReceiveResult]:
        """Messages through the intake seam with the desk's mail settings, one transaction."""
        return self.receive(Channel.EMAIL, batch)

    def receive(
        self, channel: Channel, batch: list[tuple[Inbound, Step | None]]
    ) -> list[ReceiveResult]:
        """Messages of one channel through the intake seam, one transaction: the one
        door every adapter (IMAP, the MTA pipe, Twilio, chat, the portal) uses."""
        settings, smtp = self.settings, self.settings.smtp
        return self.system_desk(channel.value, source=channel.value).receive_many(
            batch,
            rate_limit=settings.mail_rate_limit,
            own_addresses=settings.own_addresses(),
            acknowledge=smtp.acknowledge and smtp.configured,
        )

    def sms(self) -> TwilioSms:
        """The configured Twilio number (its token read from its secret file)."""
        from .channels.twilio import TwilioSms

        twilio = self.settings.twilio
        if not twilio.configured:
            raise ValidationError(
                "SMS is not set up: set twilio_account_sid, twilio_number and "
                "twilio_auth_token (or twilio_auth_token_file)"
            )
        assert twilio.account_sid is not None and twilio.number is not None
        return TwilioSms(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token.read() or "",
            number=twilio.number,
            api_base=twilio.api_base,
            region=twilio.default_region,
        )

    def poll_sms(self) -> PollReport:
        """One read of Twilio's inbound log through the intake seam."""
        from .channels.twilio import poll

        desk = self.system_desk("sms", source="sms")
        return poll(desk, self.sms(), lambda batch: self.receive(Channel.SMS, batch))

    def poll_mail(self) -> PollReport:
        """One IMAP poll through the same parse and intake as ``mail import``."""
        from .channels.imap import poll

        desk = self.system_desk("email", source="email")
        return poll(desk, self.mailbox(), self.receive_mail, self.parse_mail)

    def channel_jobs(self) -> tuple[Job, ...]:
        """The jobs that need channel secrets (service account only)."""
        from .worker import Job

        jobs: list[Job] = []
        imap, twilio, smtp = self.settings.imap, self.settings.twilio, self.settings.smtp
        if imap.configured:
            from .channels.imap import watch

            jobs.append(
                Job(
                    "poll-mail",
                    imap.poll_interval_seconds,
                    lambda: self.poll_mail().summary(),
                    watch=lambda wake, stop: watch(self.mailbox(), wake, stop),
                )
            )
        if twilio.configured:
            from .channels.delivery import deliver_due

            sms = self.sms()
            if twilio.poll_interval_seconds > 0:
                jobs.append(
                    Job(
                        "poll-sms",
                        twilio.poll_interval_seconds,
                        lambda: self.poll_sms().summary(),
                    )
                )
            jobs.append(
                Job(
                    "send-sms",
                    twilio.send_interval_seconds,
                    lambda: deliver_due(self.system_desk("sms"), Channel.SMS, sms.send),
                )
            )
        if smtp.configured:
            from functools import partial

            from .channels.delivery import deliver_due
            from .channels.smtp import SmtpTransport
            from .queries.attachments import outbound_files

            assert smtp.host is not None and smtp.sender is not None
            password = smtp.password.read()
            if smtp.user and not password:
                # Not this account's to send with (a technician's --once): say so
                # as the job's result rather than log in without a password.
                jobs.append(
                    Job(
                        "send-mail",
                        smtp.send_interval_seconds,
                        lambda: _required_secret(smtp.password, "SMTP"),
                    )
                )
                return tuple(jobs)
            transport = SmtpTransport(
                host=smtp.host,
                port=smtp.port,
                security=smtp.security,
                sender=smtp.sender,
                sender_name=smtp.sender_name,
                user=smtp.user,
                password=password,
                ca_file=str(smtp.ca_file) if smtp.ca_file else None,
                files=partial(outbound_files, self.db, self.settings.attachments_dir()),
            )
            jobs.append(
                Job(
                    "send-mail",
                    smtp.send_interval_seconds,
                    lambda: deliver_due(self.system_desk("mail"), Channel.EMAIL, transport.send),
                )
            )
        return tuple(jobs)

    def housekeeping_job(self) -> Job:
        """Forget held-back mail's source past ``skipped_mail_retention_days`` and
        remove the ``.part`` files a killed process left among the attachments;
        run at the daemon's start and hourly after. The daemon's, since it is the
        account that writes the attachments and may remove them."""
        from datetime import timedelta

        from .leftovers import remove_partial_files
        from .worker import Job

        def run() -> str:
            settings = self.settings
            try:
                cutoff = self.clock() - timedelta(days=settings.skipped_mail_retention_days)
            except OverflowError:  # worker --once --at a time in year 1
                return "nothing to forget before year 1"
            purged = self.system_desk("housekeeping").purge_skipped_mail(cutoff)
            parts = remove_partial_files(settings.attachments_dir())
            return f"forgot {purged} held-back message(s), removed {len(parts)} .part file(s)"

        return Job("housekeeping", HOUSEKEEPING_SECONDS, run)

    def assistant(self) -> Assistant:
        from .ai.assistant import Assistant

        return Assistant(self.db, self.settings.ai)

    def ai_jobs(self, with_secrets: bool) -> tuple[Job, ...]:
        """The analyzer: in the daemon always; in an app's embedded worker only when no
        model is configured (the rules hold no secret, a model's key does). The
        daemon also answers the drafts and analyses technicians ask of it."""
        ai = self.settings.ai
        if ai.configured and not with_secrets:
            return ()
        from .worker import Job

        assistant = self.assistant()
        analyze = Job(
            "ai-analyze",
            AI_ANALYZE_SECONDS,
            lambda: assistant.analyze_new(self.system_desk("ai")),
        )
        if not with_secrets:
            return (analyze,)
        from .ai.model import warm_up_then

        answer = Job(
            "ai-requests",
            AI_REQUEST_SECONDS,
            lambda: assistant.answer_requests(self.system_desk("ai")),
            # The model's client loads as the daemon starts, not in its first request.
            watch=warm_up_then if ai.configured else None,
        )
        return analyze, answer

    def runner(self, *, label: str, with_secrets: bool) -> WorkerRunner:
        """A worker: the daemon's (``with_secrets``) or one embedded in an app."""
        from .worker import WorkerRunner
        from .worker.indexer import IndexerProcess, IndexerSpec

        settings = self.settings
        # Both index in a process of their own: in the daemon intake and indexing then
        # run on two cores at once; in an app, indexing a backlog (pure Python, the
        # interpreter lock) made opening a ticket ten times slower.
        indexer = IndexerProcess(
            IndexerSpec(
                database_url=self.db.url,
                engine=settings.search_engine,
                index_path=str(index_folder(settings, self.db)),
                interval=settings.index_interval_seconds,
                # One process: intake (or the app) has the other core. (A backlog
                # indexed with nothing else to do, worker --once or reindex, uses all.)
                procs=1,
                parent_pid=os.getpid(),
            )
        )
        return WorkerRunner(
            self.db,
            index=self.index,
            lease_seconds=settings.worker_lease_seconds,
            heartbeat_seconds=settings.worker_heartbeat_seconds,
            index_seconds=settings.index_interval_seconds,
            clock=self.clock,
            clock_tolerance_seconds=settings.worker_clock_tolerance_seconds,
            label=label,
            config=settings.desk_config(),
            extra_jobs=((self.housekeeping_job(), *self.channel_jobs()) if with_secrets else ())
            + self.ai_jobs(with_secrets),
            indexer=indexer,
        )

    def index_backlog(self) -> int:
        """Index all the outbox holds, large batches on every core; rows indexed.

        For worker processes (``worker --once``, ``search reindex``), never the app.
        """
        self.index.procs = available_procs()
        total = 0
        while drained := self.index.drain():
            total += drained
        return total

    def system_desk(self, job: str, source: str = "worker") -> Desk:
        """A Desk acting as the system account ``job``, with the policies these
        settings name (a reloaded daemon's new Wiring names the new ones)."""
        return Desk(
            self.db,
            Actor.system(job),
            source=source,
            clock=self.clock,
            config=self.settings.desk_config(),
        )


def _required_secret(secret: Secret, what: str) -> str:
    """A channel's secret, or one line saying whose it is: without it the server
    would only see a failed login (a real one, counted by fail2ban or the
    provider), and the person would read "authentication failed"."""
    value = secret.read()
    if value:
        return value
    raise ValidationError(
        f"the {what} secret ({secret.name}) is not set for this account: on a shared host "
        "it is the service account's; run this as it: runuser -u regentra -- env "
        "REGENTRA_CONFIG=/etc/regentra/worker.toml regentra ..."
    )
