"""Owners tune a circle's moderation: thresholds, the crisis policy, watched words; all logged."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import Role, User
from forum.circle_moderation import repository
from forum.circle_moderation.models import SettingsChange
from forum.circles.models import Circle, CircleRole
from forum.circles.service import CircleView
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, _
from moderation.content_warnings import WARNINGS
from moderation.decision import Policy
from moderation.pipeline import Assessment
from moderation.watched import (
    MAX_EXPLANATION,
    MAX_PHRASE,
    MAX_REPLACEMENT,
    MAX_WORDS,
    WatchedWord,
    WatchError,
    WatchList,
    check_word,
)
from moderation.wording import LABEL_WORDS

LABELS: tuple[str, ...] = tuple(Policy().hold)
PUBLISH_AND_REVIEW, HOLD = "publish_and_review", "hold"
CRISIS_CONCERN = {
    PUBLISH_AND_REVIEW: N_("publish it, and queue it for a moderator to check in"),
    HOLD: N_("hold it until a moderator has looked"),
}
ACTION_WORDS = {
    "hold": N_("hold for review"),
    "warn": N_("add a content warning"),
    "block": N_("block, with an explanation"),
    "replace": N_("replace"),
}
LOG_PAGE = 50


@dataclass(frozen=True)
class Settings:
    circle: Circle
    policy: Policy
    can_edit: bool

    @property
    def crisis_concern(self) -> str:
        return HOLD if self.policy.hold_crisis_concern else PUBLISH_AND_REVIEW


@dataclass(frozen=True)
class LogEntry:
    change: SettingsChange
    actor_name: str

    @property
    def summary(self) -> list[str]:
        return [describe(change) for change in self.change.changes]


def _role(user: User, view: CircleView) -> str | None:
    return view.membership.role if view.membership is not None else None


def require_moderates(user: User, view: CircleView) -> None:
    """Owners, circle moderators and site staff see the settings and their log."""
    if user.is_staff or _role(user, view) in (CircleRole.OWNER, CircleRole.MODERATOR):
        return
    raise Forbidden(
        _("Only this circle's owners and moderators can see its moderation settings."),
        code="not_a_moderator",
    )


def can_edit(user: User, view: CircleView) -> bool:
    """Owners; and site admins, so a circle whose owners have gone can still be looked after."""
    return _role(user, view) == CircleRole.OWNER or user.role == Role.ADMIN


def require_owner(user: User, view: CircleView) -> None:
    require_moderates(user, view)
    if not can_edit(user, view):
        raise Forbidden(
            _("Only this circle's owners can change its moderation settings."), code="not_an_owner"
        )


def read_settings(user: User, view: CircleView) -> Settings:
    require_moderates(user, view)
    policy = Policy.from_dict(view.circle.moderation_policy)
    return Settings(view.circle, policy, can_edit(user, view))


async def _locked(db: AsyncSession, view: CircleView) -> tuple[Circle, Policy, int]:
    circle = await repository.lock_circle(db, view.circle.id)
    if circle is None:
        raise NotFound(_("There is no circle at this address."))
    stored = circle.moderation_policy or {}
    policy = Policy.from_dict(stored)
    next_id = int(stored.get("next_word_id", 1))
    return circle, policy, next_id


async def _save(
    db: AsyncSession,
    user: User,
    circle: Circle,
    policy: Policy,
    next_id: int,
    changes: list[dict[str, Any]],
) -> None:
    # A fresh dict: the JSON column only notices assignment, not changes inside it.
    circle.moderation_policy = {**policy.to_dict(), "next_word_id": next_id}
    db.add(SettingsChange(circle_id=circle.id, actor_id=user.id, changes=changes))
    await db.flush()


async def log_member_change(
    db: AsyncSession, actor: User, circle_id: int, change: dict[str, Any]
) -> None:
    """Removals and bans join the circle's moderation log (forum/circle_members)."""
    db.add(SettingsChange(circle_id=circle_id, actor_id=actor.id, changes=[change]))
    await db.flush()


def _threshold(label: str, which: str, value: object) -> float:
    where = f"thresholds.{label}.{which}"
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise Invalid(
            _("The %(which)s threshold for %(label)s must be a number.")
            % {"which": which, "label": label},
            field=where,
        )
    if not 0 <= value <= 1:
        raise Invalid(
            _("The %(which)s threshold for %(label)s must be between 0 and 1 (it was %(value)s).")
            % {"which": which, "label": label, "value": value},
            field=where,
        )
    return round(float(value), 4)


def _new_thresholds(
    policy: Policy, thresholds: Mapping[str, Mapping[str, float | None]]
) -> tuple[dict[str, float], dict[str, float]]:
    hold, flag = dict(policy.hold), dict(policy.flag)
    for label, values in thresholds.items():
        if label not in LABELS:
            raise Invalid(
                _("There is no threshold called “%(label)s”. The labels are %(labels)s.")
                % {"label": label[:40], "labels": ", ".join(LABELS)},
                field="thresholds",
            )
        if values.get("hold") is not None:
            hold[label] = _threshold(label, "hold", values["hold"])
        if values.get("flag") is not None:
            flag[label] = _threshold(label, "flag", values["flag"])
        if flag[label] > hold[label]:
            raise Invalid(
                _(
                    "For %(label)s, the flag threshold (%(flag)s) can't be above the hold "
                    "threshold (%(hold)s): posts are flagged for a look before they are held."
                )
                % {
                    "label": label,
                    "flag": format(flag[label], "g"),
                    "hold": format(hold[label], "g"),
                },
                field=f"thresholds.{label}.flag",
            )
    return hold, flag


async def change_settings(
    db: AsyncSession,
    user: User,
    view: CircleView,
    thresholds: Mapping[str, Mapping[str, float | None]] | None,
    crisis_concern: str | None,
) -> Settings:
    """Change thresholds and the crisis policy; a change that changes nothing isn't logged."""
    require_owner(user, view)
    if crisis_concern is not None and crisis_concern not in CRISIS_CONCERN:
        raise Invalid(
            _("For crisis concern choose “publish_and_review” or “hold”."), field="crisis_concern"
        )
    circle, policy, next_id = await _locked(db, view)
    hold, flag = _new_thresholds(policy, thresholds or {})
    changes: list[dict[str, Any]] = [
        {"kind": "threshold", "label": label, "which": which, "before": old[label], "after": new}
        for which, old, now in (("hold", policy.hold, hold), ("flag", policy.flag, flag))
        for label, new in now.items()
        if old.get(label) != new
    ]
    hold_concern = policy.hold_crisis_concern
    if crisis_concern is not None and (crisis_concern == HOLD) != hold_concern:
        before = HOLD if hold_concern else PUBLISH_AND_REVIEW
        hold_concern = crisis_concern == HOLD
        changes.append({"kind": "crisis_concern", "before": before, "after": crisis_concern})
    policy = Policy(hold, flag, hold_concern, policy.watched)
    if changes:
        await _save(db, user, circle, policy, next_id, changes)
    return Settings(circle, policy, True)


def _checked(word_id: int, fields: Mapping[str, Any]) -> WatchedWord:
    try:
        return check_word(
            word_id,
            str(fields.get("phrase") or ""),
            str(fields.get("action") or ""),
            fields.get("warning"),
            fields.get("explanation"),
            fields.get("replacement"),
        )
    except WatchError as exc:
        raise Invalid(exc.message, field=exc.field) from None


def _check_list(words: list[WatchedWord], word: WatchedWord) -> WatchList:
    """The list with `word` in it, or a clear error: no duplicates, no endless replacements."""
    same = next((w for w in words if w.key == word.key and w.id != word.id), None)
    if same is not None:
        raise Conflict(
            _("“%(phrase)s” is already watched (%(action_words)s); change that one instead.")
            % {"phrase": same.phrase, "action_words": _(ACTION_WORDS[same.action])},
            code="already_watched",
            word_id=same.id,
        )
    watch = WatchList.of(words)
    clashes = watch.replacement_clashes()
    # A clash with the circle's other watched words, as stored, is a conflict; one only
    # with the word's own phrase is about the request alone.
    stored = [(r, hit) for r, hit in clashes if not r.id == hit.word.id == word.id]
    for replaced, hit in stored or clashes:
        message = _(
            "The replacement for “%(phrase)s” contains “%(text)s”, which is watched too. Please "
            "choose a replacement without watched words."
        ) % {"phrase": replaced.phrase, "text": hit.text}
        if not stored:
            raise Invalid(message, field="replacement")
        raise Conflict(message, code="replacement_watched", field="replacement")
    return watch


async def add_word(
    db: AsyncSession, user: User, view: CircleView, fields: Mapping[str, Any]
) -> WatchedWord:
    require_owner(user, view)
    circle, policy, next_id = await _locked(db, view)
    word = _checked(next_id, fields)
    words = list(policy.watched.words)
    if len(words) >= MAX_WORDS:
        raise Conflict(
            _(
                "A circle can watch at most %(max_words)s words and phrases. Please remove one "
                "before adding another."
            )
            % {"max_words": MAX_WORDS},
            code="too_many_watched_words",
        )
    watch = _check_list([*words, word], word)
    policy = Policy(policy.hold, policy.flag, policy.hold_crisis_concern, watch)
    await _save(db, user, circle, policy, next_id + 1, [_word_change("word_added", after=word)])
    return word


def _word_change(
    kind: str, before: WatchedWord | None = None, after: WatchedWord | None = None
) -> dict[str, Any]:
    change: dict[str, Any] = {"kind": kind}
    if before is not None:
        change["before"] = before.to_dict()
    if after is not None:
        change["after"] = after.to_dict()
    return change


def _find(policy: Policy, word_id: int) -> WatchedWord:
    word = next((w for w in policy.watched.words if w.id == word_id), None)
    if word is None:
        raise NotFound(_("That watched word isn't on this circle's list."), code="no_such_word")
    return word


async def change_word(
    db: AsyncSession, user: User, view: CircleView, word_id: int, fields: Mapping[str, Any]
) -> WatchedWord:
    """Change a watched word; fields not sent keep their value (those of another action go)."""
    require_owner(user, view)
    circle, policy, next_id = await _locked(db, view)
    old = _find(policy, word_id)
    word = _checked(word_id, {**old.to_dict(), **fields})
    if word == old:
        return old
    words = [word if w.id == word_id else w for w in policy.watched.words]
    watch = _check_list(words, word)
    policy = Policy(policy.hold, policy.flag, policy.hold_crisis_concern, watch)
    await _save(db, user, circle, policy, next_id, [_word_change("word_changed", old, word)])
    return word


async def remove_word(db: AsyncSession, user: User, view: CircleView, word_id: int) -> WatchedWord:
    require_owner(user, view)
    circle, policy, next_id = await _locked(db, view)
    old = _find(policy, word_id)
    watch = WatchList.of(w for w in policy.watched.words if w.id != word_id)
    policy = Policy(policy.hold, policy.flag, policy.hold_crisis_concern, watch)
    await _save(db, user, circle, policy, next_id, [_word_change("word_removed", before=old)])
    return old


async def settings_log(
    db: AsyncSession, user: User, view: CircleView, before: int | None
) -> tuple[list[LogEntry], int | None]:
    require_moderates(user, view)
    rows = await repository.log_page(db, view.circle.id, before, LOG_PAGE + 1)
    entries = [LogEntry(change, name or _("a former member")) for change, name in rows[:LOG_PAGE]]
    next_before = entries[-1].change.id if len(rows) > LOG_PAGE else None
    return entries, next_before


def word_words(word: Mapping[str, Any]) -> str:
    """A watched word's action in plain words: "add a content warning (grief and loss)"."""
    action = str(word.get("action"))
    if action == "warn":
        warning = _(WARNINGS.get(str(word.get("warning")), "?"))
        return _("add a content warning (%(warning)s)") % {"warning": warning}
    if action == "block":
        return _("block, telling the author “%(explanation)s”") % {
            "explanation": word.get("explanation")
        }
    if action == "replace":
        return _("replace with “%(replacement)s”") % {"replacement": word.get("replacement")}
    return _(ACTION_WORDS.get(action, action))


def label_words(label: str) -> str:
    return _(LABEL_WORDS[label]) if label in LABEL_WORDS else label.replace("_", " ")


def describe(change: Mapping[str, Any]) -> str:
    """One logged change in plain words."""
    kind = change.get("kind")
    before, after = change.get("before"), change.get("after")
    if kind == "threshold":
        words = (
            _("Hold threshold for %(label)s: %(before)s → %(after)s")
            if change.get("which") == "hold"
            else _("Flag threshold for %(label)s: %(before)s → %(after)s")
        )
        return words % {"label": change.get("label"), "before": before, "after": after}
    if kind == "crisis_concern":
        return _("When words suggest someone may be struggling: %(before)s → %(after)s") % {
            "before": _(CRISIS_CONCERN.get(str(before), str(before))),
            "after": _(CRISIS_CONCERN.get(str(after), str(after))),
        }
    if kind == "word_added" and isinstance(after, Mapping):
        return _("Watching “%(phrase)s”: %(action)s") % {
            "phrase": after.get("phrase"),
            "action": word_words(after),
        }
    if kind == "word_removed" and isinstance(before, Mapping):
        return _("No longer watching “%(phrase)s” (was: %(action)s)") % {
            "phrase": before.get("phrase"),
            "action": word_words(before),
        }
    if kind == "word_changed" and isinstance(before, Mapping) and isinstance(after, Mapping):
        return _("Changed “%(before)s” (%(was)s) to “%(after)s” (%(now)s)") % {
            "before": before.get("phrase"),
            "was": word_words(before),
            "after": after.get("phrase"),
            "now": word_words(after),
        }
    return _describe_member(change) or str(kind)


MEMBER_CHANGES = {
    "member_removed": N_("Removed %(member)s from the circle"),
    "member_banned": N_("Banned %(member)s"),
    "ban_lifted": N_("Lifted the ban on %(member)s"),
}


def _describe_member(change: Mapping[str, Any]) -> str | None:
    words = MEMBER_CHANGES.get(str(change.get("kind")))
    if words is None:
        return None
    text = _(words) % {"member": change.get("member") or _("a former member")}
    if not change.get("reason"):
        return text
    return _("%(change)s: %(reason)s") % {"change": text, "reason": change["reason"]}


def refuse_blocked(assessment: Assessment) -> None:
    """A word the circle blocks: a clear 422 with the owners' explanation; nothing is kept."""
    hit = assessment.refusal
    if hit is None:
        return
    explanation = hit.word.explanation or ""
    raise Invalid(
        _(
            "This circle's owners ask that “%(text)s” isn't used here: %(explanation)s Nothing was "
            "posted; you can change your words and send again."
        )
        % {"text": hit.text, "explanation": explanation},
        code="blocked_word",
        field="body",
        explanation=explanation,
    )


def settings_json(settings: Settings) -> dict[str, Any]:
    policy = settings.policy
    return {
        "slug": settings.circle.slug,
        "thresholds": {
            label: {"hold": policy.hold[label], "flag": policy.flag[label]} for label in LABELS
        },
        "crisis_concern": settings.crisis_concern,
        "watched_words": [word.to_dict() for word in policy.watched.words],
        "content_warnings": list(WARNINGS),
        "limits": {
            "watched_words": MAX_WORDS,
            "phrase": MAX_PHRASE,
            "explanation": MAX_EXPLANATION,
            "replacement": MAX_REPLACEMENT,
        },
        "can_edit": settings.can_edit,
    }
