"""The pieces a thread snapshot is cut into, and what one reader sees in its slots.

A snapshot's posts are rendered once with a slot after each (SLOT) and markers around
each published body; they are cut at the slots here. The controls a reader gets there
(report, block, unblock, or edit and delete on their own) are the parts either side of
the reader's CSRF token. Muted and blocked notes are worded once per language.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import escape

from forum.i18n import LANGUAGES, _, using

SLOT = "<!--circles:slot-->"  # bleach strips comments from posts, so only we write this
BODY_OPEN, BODY_CLOSE = "<!--circles:body-->", "<!--circles:/body-->"


def split_pieces(html: str) -> tuple[tuple[bytes, ...], list[tuple[int, int] | None]]:
    """Split rendered posts at the slots, noting (and dropping) the body markers.

    The body of post i is in piece i, the one before its slot.
    """
    pieces: list[bytes] = []
    spans: list[tuple[int, int] | None] = []
    texts = html.split(SLOT)
    for index, text in enumerate(texts):
        start = text.find(BODY_OPEN)
        span = None
        if start >= 0:
            end = text.index(BODY_CLOSE, start)
            body = text[start + len(BODY_OPEN) : end]
            before = text[:start].encode()
            span = (len(before), len(before) + len(body.encode()))
            text = text[:start] + body + text[end + len(BODY_CLOSE) :]
        pieces.append(text.encode())
        if index < len(texts) - 1:
            spans.append(span)
    return tuple(pieces), spans


def report_link(post_id: int, author_name: str) -> str:
    report = escape(_("Report"))
    whose = escape(_("this post by %(name)s") % {"name": author_name})
    return (
        f'<a href="/posts/{post_id}/report">{report}<span class="visually-hidden"> '
        f"{whose}</span></a>"
    )


def post_form(post_id: int, action: str, label: str, author_name: str, kind: str) -> list[str]:
    """A one-button form around the reader's CSRF token: the parts before and after it."""
    return [
        f'<form method="post" action="/posts/{post_id}/{action}" class="inline-form {kind}" '
        f'data-name="{escape(author_name)}"><input type="hidden" name="csrf_token" value="',
        f'"><button type="submit" class="link-button">{label}<span class="visually-hidden"> '
        f"{escape(author_name)}</span></button></form>",
    ]


def others_actions(post_id: int, author_id: int | None, author_name: str) -> tuple[bytes, ...]:
    report = report_link(post_id, author_name)
    if author_id is None:  # a former member: nobody left to block
        return (f'<footer class="post-actions">{report}</footer>'.encode(),)
    before, after = post_form(post_id, "block-author", _("Block"), author_name, "block-form")
    return (
        f'<footer class="post-actions">{report}{before}'.encode(),
        f"{after}</footer>".encode(),
    )


def unblock_actions(post_id: int) -> tuple[bytes, bytes]:
    label, someone = _("Unblock"), _("this member")
    before, after = post_form(post_id, "unblock-author", label, someone, "unblock-form")
    return f'<footer class="post-actions">{before}'.encode(), f"{after}</footer>".encode()


def own_actions(post_id: int) -> tuple[bytes, bytes]:
    edit = escape(_("Edit"))
    before = (
        f'<footer class="post-actions"><a href="/posts/{post_id}/edit">{edit}</a>'
        f'<form method="post" action="/posts/{post_id}/delete" class="inline-form">'
        '<input type="hidden" name="csrf_token" value="'
    )
    delete = escape(_("Delete"))
    after = f'"><button type="submit" class="link-button">{delete}</button></form></footer>'
    return before.encode(), after.encode()


MUTED_CLOSE = b"</details>"


@lru_cache(maxsize=len(LANGUAGES))
def muted_open(locale: str) -> bytes:
    """The notice a muted post hides behind, in `locale` (as `_muted.html` words it)."""
    with using(locale):
        note, show = escape(_("Hidden by your muted words")), escape(_("show"))
    return (
        f'<details class="muted"><summary><span class="muted-note">{note}'
        f'</span>: <span class="muted-show">{show}</span></summary>'
    ).encode()


@lru_cache(maxsize=len(LANGUAGES))
def blocked_note(locale: str) -> bytes:
    with using(locale):
        note = escape(_("Hidden: a member you blocked wrote this."))
    return f'<p class="removed blocked-note">{note}</p>'.encode()
