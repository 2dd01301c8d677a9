"""Creating circles, reading them as a given member, and joining them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum import names
from forum.accounts import repository as accounts_repository
from forum.accounts.models import User
from forum.accounts.service import require_not_muted, username_key
from forum.circles import repository
from forum.circles.models import (
    Circle,
    CircleRole,
    Membership,
    Rule,
    RuleItem,
    RuleVersion,
    Visibility,
)
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.events import access_changed, emit
from forum.i18n import N_, _
from forum.notifications.service import notify

BANNED = N_("This circle's moderators have banned you from taking part in it.")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
RESERVED_SLUGS = frozenset({"new", "api", "admin", "static", "login", "register"})

# Drawn from peer-support practice; owners edit them and members propose changes.
RULES_TEMPLATE: tuple[tuple[str, str], ...] = (
    (
        N_("Keep it confidential"),
        N_("What people share here stays here. Don't repeat it elsewhere or share screenshots."),
    ),
    (
        N_("Listen without judging"),
        N_("Everyone's experience is their own. Respond with curiosity and kindness."),
    ),
    (
        N_("No unsolicited advice"),
        N_(
            "Share what helped you, in your own words, rather than telling others what to do. "
            "Ask before offering advice."
        ),
    ),
    (
        N_("No graphic detail of methods"),
        N_("Talk about feelings, not the methods or means of self-harm or suicide."),
    ),
    (
        N_("Respect each other's boundaries"),
        N_("If someone asks for space or for a topic to be left alone, honour that."),
    ),
    (
        N_("Look after yourself"),
        N_(
            "Step away when you need to. If you are in danger, the crisis resources at the "
            "bottom of every page can help right now."
        ),
    ),
)


@dataclass(frozen=True)
class CircleView:
    """A circle as one member sees it."""

    circle: Circle
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.role == CircleRole.OWNER

    @property
    def has_accepted_rules(self) -> bool:
        """Accepted some version of the rules (an invited member has not yet)."""
        return self.membership is not None and self.membership.accepted_rules_version > 0

    @property
    def needs_rules_acceptance(self) -> bool:
        return (
            self.membership is not None
            and self.membership.accepted_rules_version < self.circle.rules_version
        )


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or "--" in slug:
        raise Invalid(
            _(
                "A circle's address is 3 to 40 lowercase letters, numbers and single dashes, "
                "for example 'caring-for-parents'."
            ),
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(_("That address is reserved. Please choose another."), field="slug")
    return slug


async def create_circle(
    db: AsyncSession,
    owner: User,
    slug: str,
    name: str,
    description: str,
    visibility: str,
    rules: Sequence[tuple[str, str]] = RULES_TEMPLATE,
) -> Circle:
    # A circle's name, description and rules are words everyone may read: writing.
    require_not_muted(owner)
    slug = check_slug(slug)
    # The limit holds for the name as sent (as documented) and once cleaned.
    name = names.clean(name) if len(name) <= 80 else ""
    if not 1 <= len(name) <= 80:
        raise Invalid(_("A circle's name is 1 to 80 characters."), field="name")
    if len(description) > 2000:
        raise Invalid(_("A description can be at most 2000 characters."), field="description")
    if visibility not in (Visibility.PUBLIC, Visibility.PRIVATE):
        raise Invalid(_("Visibility is either 'public' or 'private'."), field="visibility")
    if await repository.get_by_slug(db, slug) is not None:
        raise Conflict(_("A circle with that address already exists."), code="slug_taken")
    if rules is RULES_TEMPLATE:  # the starter rules, in the language of the one who starts it
        rules = [(_(title), _(text)) for title, text in rules]
    circle = Circle(
        slug=slug,
        name=name,
        description=description.strip(),
        visibility=visibility,
        rules_version=1,
        created_by=owner.id,
    )
    db.add(circle)
    await db.flush()
    version = RuleVersion(circle_id=circle.id, version=1, summary="", changes=[{"kind": "first"}])
    identities = [Rule(circle_id=circle.id) for _ in rules]
    db.add_all([version, *identities])
    await db.flush()
    db.add_all(
        RuleItem(rule_version_id=version.id, rule_id=rule.id, position=i, title=title, text=text)
        for i, ((title, text), rule) in enumerate(zip(rules, identities, strict=True), start=1)
    )
    db.add(
        Membership(
            circle_id=circle.id, user_id=owner.id, role=CircleRole.OWNER, accepted_rules_version=1
        )
    )
    await db.flush()
    return circle


async def get_circle_view_or_404(db: AsyncSession, slug: str, user: User | None) -> CircleView:
    """The circle if this member may read it; private circles are 404 to outsiders."""
    circle = await repository.get_by_slug(db, slug)
    if circle is None:
        raise NotFound(_("There is no circle at this address."))
    return await view_of_or_404(db, circle, user)


async def view_of_or_404(db: AsyncSession, circle: Circle, user: User | None) -> CircleView:
    """A circle already loaded, as this member sees it; private ones are 404 to outsiders."""
    membership = await repository.get_membership(db, circle.id, user.id) if user else None
    if not circle.is_public and membership is None:
        raise NotFound(_("There is no circle at this address."))
    return CircleView(circle, membership)


async def current_rules(db: AsyncSession, circle: Circle) -> Sequence[RuleItem]:
    return await repository.get_rules(db, circle.id, circle.rules_version)


async def join_circle(
    db: AsyncSession, user: User, view: CircleView, accept_rules_version: int
) -> Membership:
    """Join, or re-accept newer rules; only the current version can be accepted."""
    circle = view.circle
    if view.membership is None:
        # A ban of this member may be committing right now: take turns with it (it locks
        # the same row), or this join could land after the ban and undo it.
        await accounts_repository.lock_user(db, user.id)
        await require_not_banned(db, circle.id, user)
    if accept_rules_version != circle.rules_version:
        raise Conflict(
            _(
                "The ground rules are now at version %(rules_version)s. Please read them and "
                "accept that version."
            )
            % {"rules_version": circle.rules_version},
            code="rules_version_stale",
            current_version=circle.rules_version,
        )
    membership = view.membership
    if membership is None:
        membership = Membership(
            circle_id=circle.id,
            user_id=user.id,
            role=CircleRole.MEMBER,
            accepted_rules_version=accept_rules_version,
        )
        db.add(membership)
    else:
        membership.accepted_rules_version = accept_rules_version
    await db.flush()
    return membership


async def leave_circle(db: AsyncSession, user: User, view: CircleView) -> None:
    if view.membership is None:
        raise Conflict(_("You are not a member of this circle."), code="not_a_member")
    if view.is_owner:
        raise Conflict(
            _("Owners can't leave their own circle yet. Hand it to another owner first."),
            code="owner_cannot_leave",
        )
    await db.delete(view.membership)
    await db.flush()
    await emit(db, access_changed(user.id))  # their open sockets in its rooms close


async def invite_member(
    db: AsyncSession, actor: User, view: CircleView, who: User | str
) -> Membership:
    """Owners and circle moderators add someone; they read at once and accept rules to post."""
    if view.membership is None or view.membership.role not in (
        CircleRole.OWNER,
        CircleRole.MODERATOR,
    ):
        raise Forbidden(_("Only this circle's owners and moderators can invite people."))
    invitee = (
        who
        if isinstance(who, User)
        else await accounts_repository.get_user_by_key(db, username_key(who))
    )
    if invitee is None:
        raise NotFound(_("There is no member with that username."), code="no_such_user")
    await accounts_repository.lock_user(db, invitee.id)  # takes turns with a ban, as joining
    if await repository.get_membership(db, view.circle.id, invitee.id) is not None:
        raise Conflict(_("They are already a member of this circle."), code="already_member")
    if await repository.is_banned(db, view.circle.id, invitee.id):
        raise Conflict(
            _("They are banned from this circle. Lift the ban on the members page first."),
            code="banned",
        )
    # Version 0 means "invited, has not accepted any rules yet".
    membership = Membership(
        circle_id=view.circle.id,
        user_id=invitee.id,
        role=CircleRole.MEMBER,
        accepted_rules_version=0,
    )
    db.add(membership)
    await db.flush()
    circle = view.circle
    await notify(
        db,
        invitee.id,
        "invite",
        {"circle_slug": circle.slug, "circle_name": circle.name, "member": actor.display_name},
    )
    return membership


async def require_not_banned(db: AsyncSession, circle_id: int, user: User) -> None:
    if await repository.is_banned(db, circle_id, user.id):
        raise Forbidden(_(BANNED), code="banned")


async def require_can_write(db: AsyncSession, view: CircleView, user: User) -> Membership:
    """As `require_can_post`; a banned member is told so rather than asked to join."""
    if view.membership is None:
        await require_not_banned(db, view.circle.id, user)
    return require_can_post(view)


def require_can_post(view: CircleView) -> Membership:
    """Members post once they have accepted the circle's current rules."""
    if view.membership is None:
        raise Forbidden(
            _("Join this circle (and accept its ground rules) to post here."), code="not_a_member"
        )
    if view.needs_rules_acceptance:
        version = view.circle.rules_version
        raise Conflict(
            _(
                "This circle's ground rules have changed (now version %(version)s). Please read "
                "what changed and accept them to post; reading stays open to you."
            )
            % {"version": version}
            if view.membership.accepted_rules_version
            else _("Please read this circle's ground rules and accept them to post."),
            code="rules_not_accepted",
            current_version=version,
        )
    return view.membership


async def visible_circles(db: AsyncSession, user: User | None) -> list[CircleView]:
    rows = await repository.visible_circles(db, user.id if user else None)
    return [CircleView(circle, membership) for circle, membership in rows]
