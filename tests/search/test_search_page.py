"""The search page: a labelled form, marked and escaped snippets, boundaries kept."""

from __future__ import annotations

import re
from typing import Any

import httpx

from forum.search.service import MAX_QUERY
from tests.conftest import Persona, ThreadFactory, join, ok
from tests.forum.test_accounts import FORM_ERROR
from tests.forum.test_pages import Opener, page, signed_in
from tests.search.test_search_api import reply

__all__ = ["signed_in"]

NO_RESULTS = 'id="no-results"'


def results(html: str) -> list[str]:
    """Each result's markup, in order."""
    return re.findall(r'<li class="search-result[^"]*">(.*?)</li>', html, re.S)


async def test_search_page_offers_a_labelled_form_before_anything_is_asked(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/search", "/search?q=", "/search?q=%20%20"):
        response = await page(client, path)
        assert '<label for="search-q">' in response.text
        assert 'id="search-q" name="q"' in response.text
        assert "results-heading" not in response.text and NO_RESULTS not in response.text


async def test_search_page_marks_matches_and_links_to_them(
    client: httpx.AsyncClient, user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    made = await make_thread(user, circle, title="Lanterns at dusk", body="Quiet evenings.")
    post = await reply(user, made, "We lit LANTERNS by the river.")
    response = await page(client, "/search?q=lanterns")
    found = results(response.text)
    assert len(found) == 2
    assert f'href="/threads/{made["id"]}#post-{post["id"]}"' in found[0]
    assert "We lit <mark>LANTERNS</mark> by the river." in found[0]
    assert f'href="/threads/{made["id"]}"><mark>Lanterns</mark> at dusk</a>' in found[1]
    assert 'value="lanterns"' in response.text  # the form keeps the search


async def test_search_page_escapes_what_authors_wrote(
    client: httpx.AsyncClient, user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    made = await make_thread(user, circle, title="Lanterns <img src=x onerror=alert(1)>")
    await reply(user, made, 'Lanterns <script>alert("x")</script> <b onclick="y()">here</b>')
    response = await page(client, "/search?q=lanterns")  # also fails on inline script
    assert (
        "<mark>Lanterns</mark> &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; "
        "&lt;b onclick=&#34;y()&#34;&gt;here&lt;/b&gt;"
    ) in response.text
    assert "<mark>Lanterns</mark> &lt;img src=x onerror=alert(1)&gt;</a>" in response.text
    assert "<script>alert" not in response.text and "<b onclick" not in response.text


async def test_search_page_escapes_the_search_itself(client: httpx.AsyncClient) -> None:
    response = await page(client, "/search?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


async def test_search_page_shows_private_circles_to_their_members_only(
    client: httpx.AsyncClient,
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    made = await make_thread(user, private_circle, title="Lanterns in private", body="Quiet.")
    anonymous = await page(client, "/search?q=lanterns")
    assert results(anonymous.text) == [] and NO_RESULTS in anonymous.text
    assert 'href="/login?next=/search"' in anonymous.text  # members may find more
    outsider = await page(await signed_in(other_user), "/search?q=lanterns")
    assert results(outsider.text) == [] and "Lanterns in private" not in outsider.text
    member = await page(await signed_in(user), "/search?q=lanterns")
    assert f'href="/threads/{made["id"]}"' in member.text


async def test_search_page_collapses_results_with_muted_words(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await reply(other_user, thread, "Lanterns outside the hospital.")
    await reply(other_user, thread, "Lanterns by the river.")
    await ok(await user.api.patch("/api/v1/me", json={"muted_words": ["hospital"]}))
    river, hospital = results((await page(await signed_in(user), "/search?q=lanterns")).text)
    assert '<details class="muted">' not in river
    assert hospital.strip().startswith('<details class="muted"><summary>')
    assert "the hospital." in hospital and "Hidden by your muted words" in hospital
    for result in results((await page(await signed_in(other_user), "/search?q=lanterns")).text):
        assert '<details class="muted">' not in result


async def test_search_page_leaves_out_members_the_reader_blocked(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await reply(other_user, thread, "Lanterns by the river.")
    assert len(results((await page(await signed_in(user), "/search?q=lanterns")).text)) == 1
    await ok(await user.api.post(f"/api/v1/me/blocks/{other_user.username}"), 201)
    response = await page(await signed_in(user), "/search?q=lanterns")
    assert results(response.text) == [] and NO_RESULTS in response.text


async def test_search_page_says_when_nothing_matched(client: httpx.AsyncClient) -> None:
    response = await page(client, "/search?q=zebra")
    assert "0 results for “zebra”" in response.text
    assert NO_RESULTS in response.text


async def test_search_page_explains_an_over_long_search(client: httpx.AsyncClient) -> None:
    response = await page(client, "/search?q=" + "a" * (MAX_QUERY + 1), status=400)
    error = FORM_ERROR.search(response.text)
    assert error is not None
    assert f"A search can be at most {MAX_QUERY} characters" in error.group(1)
    assert 'aria-invalid="true"' in response.text
    assert '<label for="search-q">' in response.text  # the form is there to try again
