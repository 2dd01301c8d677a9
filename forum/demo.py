"""Demo data for a first run: a few circles with rules, conversations and staff accounts."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from forum.accounts import service as accounts
from forum.accounts.models import Role, User
from forum.chat import rooms
from forum.circles import service as circles
from forum.circles.models import Circle
from forum.config import Settings
from forum.db import make_engine, make_sessionmaker, transaction
from forum.screening import build_screener
from forum.threads import service as threads

CIRCLES = [
    (
        "grief-and-loss",
        "Grief and loss",
        "For anyone missing someone. Come as you are, on good days and hard ones.",
        "public",
        [
            (
                "The first winter without her",
                "It's been four months since my mum died. Everyone says the firsts are the "
                "hardest. How did you get through the first holidays?",
                [
                    "I set a place for my dad at the table and we each said one thing we "
                    "missed. It hurt, and it also helped.",
                    "Be gentle with yourself. I gave myself permission to skip things that "
                    "felt like too much.",
                ],
            ),
            (
                "Small things that helped today",
                "A thread for the small stuff. Today I managed a walk *and* a proper lunch.",
                ["Watered her plants. They're doing well, which made me smile."],
            ),
        ],
    ),
    (
        "recovery-together",
        "Recovery together",
        "Peer support for recovery from alcohol and drugs, one day at a time.",
        "public",
        [
            (
                "90 days today",
                "Didn't think I'd get here. What helped me most: **telling one person** "
                "every morning how I was really doing.",
                ["Congratulations. That's huge. Thank you for sharing what worked."],
            ),
        ],
    ),
    (
        "carers-corner",
        "Carers' corner",
        "For people caring for a partner, parent or child. Your needs matter too.",
        "public",
        [
            (
                "How do you find time for yourself?",
                "Caring for my husband full-time since his stroke. I love him and I'm "
                "exhausted. How do you carve out even an hour?",
                [
                    "A local respite service gives me one afternoon a week. It took a while "
                    "to accept the help, but I'm glad I did.",
                ],
            ),
        ],
    ),
    (
        "after-trauma",
        "After trauma",
        "A private circle for survivors. Members only; what's shared here stays here.",
        "private",
        [
            (
                "Grounding techniques that work for you",
                "When memories come back, I use 5-4-3-2-1: five things I see, four I hear... "
                "What do you use?",
                ["Holding something cold, like an ice cube, brings me back fast."],
            ),
        ],
    ),
]

PEOPLE = [("river", "River"), ("sam_k", "Sam K."), ("juniper", "Juniper"), ("ash", "Ash")]


async def load_demo(settings: Settings) -> list[tuple[str, str, str]] | None:
    """Load once; return (username, role, password) for the accounts made, or None."""
    engine = make_engine(settings.database_url)
    screener = build_screener(settings)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            if await db.scalar(select(func.count()).select_from(Circle)):
                return None
            made: list[tuple[str, str, str]] = []
            staff = [("moderator", "Moderator", Role.MODERATOR), ("admin", "Admin", Role.ADMIN)]
            for username, display, role in staff:
                password = secrets.token_urlsafe(12)
                await accounts.register(db, username, password, display, role)
                made.append((username, role.value, password))
            people: list[User] = []
            for username, display in PEOPLE:
                password = secrets.token_urlsafe(12)
                people.append(await accounts.register(db, username, password, display))
                made.append((username, "member", password))
            for i, (slug, name, description, visibility, conversations) in enumerate(CIRCLES):
                owner = people[i % len(people)]
                circle = await rooms.create_circle(db, owner, slug, name, description, visibility)
                owner_view = await circles.get_circle_view_or_404(db, slug, owner)
                for person in people:
                    if person.id == owner.id:
                        continue
                    if not circle.is_public:
                        await circles.invite_member(db, owner, owner_view, person.username)
                    view = await circles.get_circle_view_or_404(db, slug, person)
                    await circles.join_circle(db, person, view, circle.rules_version)
                for j, (title, body, replies) in enumerate(conversations):
                    author = people[(i + j) % len(people)]
                    view = await circles.get_circle_view_or_404(db, slug, author)
                    written = await threads.start_thread(db, author, view, title, body, screener)
                    for k, reply in enumerate(replies, start=1):
                        replier = people[(i + j + k) % len(people)]
                        view = await circles.get_circle_view_or_404(db, slug, replier)
                        await threads.reply(db, replier, written.thread, view, reply, screener)
            return made
    finally:
        await screener.close()
        await engine.dispose()
