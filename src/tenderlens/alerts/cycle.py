"""One alert cycle: saved searches that are due, watched notices' changes, reminders — by e-mail.

Idempotent: every alert has a key in ``alert_deliveries`` (unique per user), written in the
same transaction as the watermarks once the e-mail is accepted by the SMTP server, so a
second cycle at the same moment sends nothing, and a cycle that fails to send retries the
same alerts next time. A saved search's watermark is the newest ``records.compiled_at`` the
cycle saw; matches are notices compiled at or after it (``>=``: a notice compiled in the
same second as the watermark is found again and dropped by its key). One cycle runs at a
time per store (the ``alerts`` lock); a second one meanwhile raises ``LockBusy``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, insert, select, update

from tenderlens.accounts.model import instant, parse_instant
from tenderlens.accounts.tables import alert_deliveries, saved_searches, users, watchlist
from tenderlens.alerts import compose
from tenderlens.alerts.due import FREQUENCIES, is_due
from tenderlens.alerts.reminders import due_reminders, events
from tenderlens.alerts.searches import request_from_query
from tenderlens.alerts.settings import AlertSettings
from tenderlens.alerts.watch import changes, watch_state
from tenderlens.match.index import load_facts
from tenderlens.match.score import score
from tenderlens.match.storage import load_profile, load_weights
from tenderlens.notice import build_notice
from tenderlens.notice.when import make_when
from tenderlens.reference import default_reference
from tenderlens.search.run import iter_hits
from tenderlens.store.schema import records
from tenderlens.web.rendering import notice_url, with_query

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy import Connection

    from tenderlens.reference import Reference
    from tenderlens.search.run import Hit
    from tenderlens.store import Store

LOG = logging.getLogger("tenderlens.alerts")
# Stages after which a submission deadline reminder is pointless.
PAST_BIDDING = frozenset({"submitted", "won", "lost"})


class Sender(Protocol):
    """What the cycle needs of :class:`tenderlens.mail.Mailer`."""

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None: ...

    def link(self, path: str) -> str: ...


@dataclass
class CycleSummary:
    searches_due: int = 0
    search_emails: int = 0
    notices_alerted: int = 0
    watch_emails: int = 0
    changes: int = 0
    reminders: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Pending:
    """An e-mail to send, and what to write once it is sent."""

    user_id: int
    email: str
    message: compose.Email
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    searches: list[int] = field(default_factory=list)
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # ocid -> new seen_state


def compiled_text(value: str) -> str:
    """An instant in ``records.compiled_at``'s form (``…+00:00``), from the accounts' ``…Z`` form."""
    return value[:-1] + "+00:00" if value.endswith("Z") else value


def _delivered(conn: Connection, user_id: int, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = conn.execute(
        select(alert_deliveries.c.key).where(
            alert_deliveries.c.user_id == user_id, alert_deliveries.c.key.in_(keys)
        )
    )
    return {row.key for row in rows}


def _facts_lines(hit: Hit, now: datetime) -> tuple[str, ...]:
    lines = []
    deadline = make_when(hit.deadline_raw, now) if hit.deadline_raw else None
    if deadline:
        lines.append(f"Submission deadline: {deadline.text} ({deadline.relative})")
    if hit.value_text:
        lines.append(f"Value: {hit.value_text}")
    if hit.notice_type_name:
        lines.append(hit.notice_type_name)
    return tuple(lines)


class _Cycle:
    def __init__(
        self, store: Store, sender: Sender, now: datetime, settings: AlertSettings, reference: Reference
    ) -> None:
        self.store = store
        self.sender = sender
        self.now = now
        self.settings = settings
        self.reference = reference
        self.summary = CycleSummary()
        self.quiet: list[int] = []  # due searches that found nothing new: their watermark moves on
        self.baselines: list[tuple[int, str, dict[str, Any]]] = []  # (user, ocid, seen_state) to store

    # -- saved searches ---------------------------------------------------------------------

    def searches(self, conn: Connection) -> list[_Pending]:
        rows = conn.execute(
            select(saved_searches, users.c.email)
            .join(users, users.c.id == saved_searches.c.user_id)
            .where(
                saved_searches.c.frequency.in_(FREQUENCIES),
                users.c.disabled_at.is_(None),
                users.c.verified_at.is_not(None),
            )
            .order_by(saved_searches.c.user_id, saved_searches.c.id)
        ).all()
        groups: dict[tuple[int, str], _Pending] = {}
        sections: dict[tuple[int, str], list[compose.SearchSection]] = {}
        quiet: list[int] = []
        for row in rows:
            last = parse_instant(row.last_alert_at) if row.last_alert_at else None
            if not is_due(row.frequency, last, self.now):
                continue
            self.summary.searches_due += 1
            section, found = self.search_section(conn, row)
            if section is None:
                quiet.append(row.id)
                continue
            key = (row.user_id, row.frequency)
            pending = groups.setdefault(key, _Pending(row.user_id, row.email, compose.Email("", "", "")))
            pending.searches.append(row.id)
            pending.deliveries.extend(found)
            sections.setdefault(key, []).append(section)
        self.quiet.extend(quiet)
        for key, pending in groups.items():
            pending.message = compose.digest(key[1], sections[key])
        return list(groups.values())

    def search_section(
        self, conn: Connection, row: Any
    ) -> tuple[compose.SearchSection | None, list[dict[str, Any]]]:
        request = request_from_query(row.query)
        if request is None:
            self.summary.failures.append(f"saved search {row.id}: its query is not a valid search")
            return None, []
        watermark = compiled_text(row.last_alert_watermark or row.created_at)
        changed = dict(
            conn.execute(
                select(records.c.ocid, records.c.compiled_at).where(records.c.compiled_at >= watermark)
            ).all()
        )
        if not changed:
            return None, []
        newest = dataclasses.replace(request, sort="newest", page=1)
        hits = [
            hit
            for hit in iter_hits(self.store.engine, newest, self.now, self.settings.scan_limit)
            if hit.ocid in changed
        ]
        keys = {hit.ocid: f"search:{row.id}:{hit.ocid}:{changed[hit.ocid]}" for hit in hits}
        sent = _delivered(conn, row.user_id, list(keys.values()))
        hits = [hit for hit in hits if keys[hit.ocid] not in sent]
        if not hits:
            return None, []
        items = self.items(conn, row.user_id, hits)
        shown = items[: self.settings.per_email]
        link = self.sender.link
        section = compose.SearchSection(
            name=row.name,
            search_url=link(with_query("/search", request.params())),
            feed_url=link(f"/feeds/searches/{row.feed_token}.atom"),
            unsubscribe_url=link(f"/alerts/unsubscribe/{row.unsubscribe_token}"),
            items=tuple(item for _, item in shown),
            more=len(items) - len(shown),
        )
        deliveries = [
            {
                "user_id": row.user_id,
                "saved_search_id": row.id,
                "ocid": ocid,
                "kind": "search",
                "key": keys[ocid],
            }
            for ocid, _ in items
        ]
        return section, deliveries

    def items(self, conn: Connection, user_id: int, hits: list[Hit]) -> list[tuple[str, compose.Item]]:
        """Each hit as an e-mail item, with its fit when the user has a profile (best fit first)."""
        profile = load_profile(conn, user_id)
        matches = {}
        if profile is not None:
            weights = load_weights(conn, user_id)
            facts = load_facts(conn, [hit.ocid for hit in hits])
            matches = {ocid: score(profile, one, weights) for ocid, one in facts.items()}
        found = []
        for position, hit in enumerate(hits):
            match = matches.get(hit.ocid)
            item = compose.Item(
                title=hit.title or hit.ocid,
                url=self.sender.link(notice_url(hit.ocid)),
                buyer=hit.buyer_name,
                facts=_facts_lines(hit, self.now),
                fit=f"{match.level} ({match.score:.1f})" if match else None,
                reasons=tuple(reason.text for reason in match.reasons) if match else (),
            )
            found.append((-(match.score if match else 0.0), position, hit.ocid, item))
        found.sort(key=lambda entry: (entry[0], entry[1]))
        return [(ocid, item) for _, _, ocid, item in found]

    def advance(self, conn: Connection, search_ids: list[int], mark: str) -> None:
        conn.execute(
            update(saved_searches)
            .where(saved_searches.c.id.in_(search_ids))
            .values(last_alert_at=instant(self.now), last_alert_watermark=mark)
        )

    # -- watched notices ----------------------------------------------------------------------

    def watched(self, conn: Connection) -> list[_Pending]:
        rows = conn.execute(
            select(watchlist, users.c.email)
            .join(users, users.c.id == watchlist.c.user_id)
            .where(users.c.disabled_at.is_(None), users.c.verified_at.is_not(None))
            .order_by(watchlist.c.user_id, watchlist.c.ocid)
        ).all()
        by_user: dict[int, _Pending] = {}
        items: dict[int, list[compose.WatchItem]] = {}
        for row in rows:
            record = self.store.get_record(row.ocid)
            if record is None:
                continue
            state = watch_state(record.compiled)
            entries: list[tuple[str, str, tuple[str, ...]]] = []  # (kind, delivery key, lines)
            if row.seen_state is None:
                self.baselines.append((row.user_id, row.ocid, state))  # first look: nothing to compare
            else:
                found = changes(row.seen_state, state, self.now)
                if found:
                    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
                    entries.append(("change", f"change:{row.ocid}:{digest}", tuple(c.text for c in found)))
            notice = build_notice(record.compiled, [], self.reference, self.now)
            dated = [
                e
                for e in events(notice)
                if not (e.key == "submission-deadline" and row.stage in PAST_BIDDING)
            ]
            for reminder in due_reminders(dated, self.settings.reminder_days, self.now):
                line = "Reminder: " + reminder.text(self.now)
                entries.append(("reminder", f"reminder:{row.ocid}:{reminder.key}", (line,)))
            sent = _delivered(conn, row.user_id, [key for _, key, _ in entries])
            fresh = [entry for entry in entries if entry[1] not in sent]
            if not fresh:
                if entries and row.seen_state is not None:
                    self.baselines.append((row.user_id, row.ocid, state))  # sent before; catch up
                continue
            pending = by_user.setdefault(
                row.user_id, _Pending(row.user_id, row.email, compose.Email("", "", ""))
            )
            pending.seen[row.ocid] = state
            pending.deliveries.extend(
                {"user_id": row.user_id, "saved_search_id": None, "ocid": row.ocid, "kind": kind, "key": key}
                for kind, key, _ in fresh
            )
            self.summary.changes += sum(len(lines) for kind, _, lines in fresh if kind == "change")
            self.summary.reminders += sum(1 for kind, _, _ in fresh if kind == "reminder")
            shown = tuple(line for _, _, lines in fresh for line in lines)
            url = self.sender.link(notice_url(row.ocid))
            items.setdefault(row.user_id, []).append(compose.WatchItem(notice.title or row.ocid, url, shown))
        for user_id, pending in by_user.items():
            pending.message = compose.watch_digest(items[user_id], self.sender.link("/account/watchlist"))
        return list(by_user.values())

    @staticmethod
    def see(conn: Connection, user_id: int, ocid: str, state: dict[str, Any]) -> None:
        conn.execute(
            update(watchlist)
            .where(watchlist.c.user_id == user_id, watchlist.c.ocid == ocid)
            .values(seen_state=state)
        )

    # -- sending --------------------------------------------------------------------------------

    def send(self, pending: _Pending, mark: str | None, *, kind: str) -> None:
        message = pending.message
        try:
            self.sender.send(pending.email, message.subject, message.text, message.html, message.headers)
        except Exception as error:
            self.summary.failures.append(f"{kind} e-mail to user {pending.user_id}: {error}")
            LOG.warning("alert e-mail to user %s not sent: %s", pending.user_id, error)
            return
        sent_at = instant(self.now)
        with self.store.writing() as conn:
            for delivery in pending.deliveries:
                conn.execute(insert(alert_deliveries).values(**delivery, sent_at=sent_at))
            if pending.searches and mark is not None:
                self.advance(conn, pending.searches, mark)
            for ocid, state in pending.seen.items():
                self.see(conn, pending.user_id, ocid, state)
        if kind == "search":
            self.summary.search_emails += 1
            self.summary.notices_alerted += sum(1 for d in pending.deliveries if d["kind"] == "search")
        else:
            self.summary.watch_emails += 1


def run_cycle(
    store: Store,
    sender: Sender,
    now: datetime,
    *,
    settings: AlertSettings | None = None,
    reference: Reference | None = None,
) -> CycleSummary:
    """One cycle: every due saved search and every watched notice, at most one e-mail each per user."""
    cycle = _Cycle(store, sender, now, settings or AlertSettings(), reference or default_reference())
    with store.exclusive("alerts"):
        with store.engine.connect() as conn:
            mark = conn.execute(select(func.max(records.c.compiled_at))).scalar()
            searches = cycle.searches(conn)
            watched = cycle.watched(conn)
        with store.writing() as conn:
            if cycle.quiet and mark is not None:
                cycle.advance(conn, cycle.quiet, mark)
            for user_id, ocid, state in cycle.baselines:
                cycle.see(conn, user_id, ocid, state)
        for pending in searches:
            cycle.send(pending, mark, kind="search")
        for pending in watched:
            cycle.send(pending, mark, kind="watch")
    return cycle.summary
