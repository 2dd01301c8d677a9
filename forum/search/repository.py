"""All SQL of search: PostgreSQL text search, or SQLite's FTS5 tables (migration 0015)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Executable,
    String,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from forum.circles.models import Circle, Membership, Visibility
from forum.threads.models import Post, PostStatus, Thread

# The text search configuration of the expression indexes (words as written, lowercased,
# no stemming), spelled as in the index so that the planner can use it.
SIMPLE: ColumnClause[str] = literal_column("'simple'", String)


@dataclass(frozen=True)
class Clause:
    """Matches when every wanted word or phrase is there and no unwanted one is. A phrase
    is its words one space apart; a word has only letters and digits."""

    wanted: tuple[str, ...]
    unwanted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Terms:
    """A search, parsed: it matches what any of its clauses matches."""

    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Scope:
    """Whose search it is: the member (None: anonymous) and the authors they blocked."""

    user_id: int | None
    hidden_authors: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Found:
    """A thread whose title matched, or a post whose body did."""

    kind: str  # "thread" or "post"
    id: int
    thread_id: int
    circle_slug: str
    circle_name: str
    title: str
    text: str  # a thread's title, a post's body: as written
    author_id: int | None
    thread_author_id: int | None
    created_at: datetime


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts5_clause(clause: Clause) -> str:
    wanted = " AND ".join(_quoted(term) for term in clause.wanted)
    return f"(({wanted})" + "".join(f" NOT {_quoted(term)}" for term in clause.unwanted) + ")"


def fts5_query(terms: Terms) -> str:
    """The FTS5 expression for `terms`: each word or phrase is a quoted string, so nothing
    a reader types (AND, NEAR, *, a stray quote) is ever read as FTS5 syntax."""
    return " OR ".join(_fts5_clause(clause) for clause in terms.clauses)


def websearch_text(terms: Terms) -> str:
    """`terms` written again for PostgreSQL's `websearch_to_tsquery`, so that both backends
    search for what one parser made of the reader's words (websearch ANDs the words of a
    clause before it ORs the clauses, as FTS5 does with the parentheses above)."""
    # Terms hold no quotes (only letters, digits and spaces): each is one quoted phrase.
    clauses = (
        " ".join([*(f'"{t}"' for t in clause.wanted), *(f'-"{t}"' for t in clause.unwanted)])
        for clause in terms.clauses
    )
    return " or ".join(clauses)


def _match(
    db: AsyncSession,
    searched: InstrumentedAttribute[str],
    row_id: InstrumentedAttribute[int],
    terms: Terms,
) -> ColumnElement[bool]:
    if db.get_bind().dialect.name == "postgresql":
        # The same expression as the GIN index, so the index answers it.
        vector = func.to_tsvector(SIMPLE, searched)
        return vector.bool_op("@@")(func.websearch_to_tsquery(SIMPLE, websearch_text(terms)))
    name = f"{searched.class_.__tablename__}_search"
    fts = table(name, column("rowid"), column(name))
    return row_id.in_(select(fts.c.rowid).where(fts.c[name].op("MATCH")(fts5_query(terms))))


def _not_by(
    author: InstrumentedAttribute[int | None], hidden: Collection[int]
) -> ColumnElement[bool]:
    return or_(author.is_(None), author.not_in(sorted(hidden)))


def _readable(scope: Scope) -> list[ColumnElement[bool]]:
    """Published threads in circles the reader may read, not started by anyone they blocked
    (the query joins threads to their circles)."""
    readable = [Thread.status == PostStatus.PUBLISHED]
    if scope.user_id is None:
        readable.append(Circle.visibility == Visibility.PUBLIC)
    else:
        member_of = select(Membership.circle_id).where(Membership.user_id == scope.user_id)
        readable.append(or_(Circle.visibility == Visibility.PUBLIC, Circle.id.in_(member_of)))
    if scope.hidden_authors:
        readable.append(_not_by(Thread.author_id, scope.hidden_authors))
    return readable


async def _found(db: AsyncSession, kind: str, query: Executable) -> list[Found]:
    rows = await db.execute(query)
    return [Found(kind, **row._mapping) for row in rows]


async def find_threads(db: AsyncSession, terms: Terms, scope: Scope, limit: int) -> list[Found]:
    """Threads whose titles match, newest first."""
    query = (
        select(
            Thread.id.label("id"),
            Thread.id.label("thread_id"),
            Circle.slug.label("circle_slug"),
            Circle.name.label("circle_name"),
            Thread.title.label("title"),
            Thread.title.label("text"),
            Thread.author_id.label("author_id"),
            Thread.author_id.label("thread_author_id"),
            Thread.created_at.label("created_at"),
        )
        .join(Circle, Circle.id == Thread.circle_id)
        .where(*_readable(scope), _match(db, Thread.title, Thread.id, terms))
    )
    return await _found(db, "thread", query.order_by(Thread.id.desc()).limit(limit))


async def find_posts(db: AsyncSession, terms: Terms, scope: Scope, limit: int) -> list[Found]:
    """Published posts whose bodies match, newest first (not by anyone the reader blocked)."""
    query = (
        select(
            Post.id.label("id"),
            Post.thread_id.label("thread_id"),
            Circle.slug.label("circle_slug"),
            Circle.name.label("circle_name"),
            Thread.title.label("title"),
            Post.body.label("text"),
            Post.author_id.label("author_id"),
            Thread.author_id.label("thread_author_id"),
            Post.created_at.label("created_at"),
        )
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Circle, Circle.id == Thread.circle_id)
        .where(
            *_readable(scope),
            Post.status == PostStatus.PUBLISHED,
            _match(db, Post.body, Post.id, terms),
        )
    )
    if scope.hidden_authors:
        query = query.where(_not_by(Post.author_id, scope.hidden_authors))
    return await _found(db, "post", query.order_by(Post.id.desc()).limit(limit))
