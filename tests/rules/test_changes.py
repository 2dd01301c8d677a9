"""What changed between versions, and when a proposal can no longer apply (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

from forum import i18n
from forum.rules.changes import (
    Draft,
    apply,
    conflict,
    diff,
    reordered,
    what_changed,
    worded_summary,
)


@dataclass
class Proposal:
    kind: str
    rule_id: int | None
    title: str | None = None
    text: str | None = None
    old_title: str | None = None
    old_text: str | None = None


BEFORE = [
    Draft(1, "Confidential", "Stays here."),
    Draft(2, "Kind", "Be kind."),
    Draft(3, "Rest", "Rest."),
]


def test_diff_lists_additions_and_changes_in_reading_order_then_removals() -> None:
    after = [
        Draft(2, "Kind", "Be kind, always."),
        Draft(None, "New", "Fresh."),
        Draft(1, "Confidential", "Stays here."),
    ]
    changes = diff(BEFORE, after)
    assert [(c.kind, c.title) for c in changes] == [
        ("changed", "Kind"),
        ("added", "New"),
        ("removed", "Rest"),
    ]
    assert changes[0].old_text == "Be kind." and changes[0].text == "Be kind, always."
    assert reordered(BEFORE, after)
    assert not reordered(BEFORE, BEFORE)


@dataclass
class Version:
    summary: str
    changes: list[dict[str, str]] | None


def test_summary_names_each_change_by_its_earlier_title() -> None:
    renamed = [Draft(1, "Privacy", "Stays here."), *BEFORE[1:]]
    changed = what_changed(diff(BEFORE, renamed), moved=False)
    assert changed == [{"kind": "changed", "title": "Confidential"}]
    assert worded_summary(Version("", changed)) == "Changed “Confidential”."
    moved = Version("", what_changed([], moved=True))
    assert worded_summary(moved) == "Put the rules in a new order."
    with i18n.using("es"):
        assert worded_summary(moved) == "Se cambió el orden de las normas."
    # The owners' own words, and a summary kept from before changes were, stand as written.
    assert worded_summary(Version("Tidied up", changed)) == "Tidied up"
    assert worded_summary(Version("Added “Be kind”.", None)) == "Added “Be kind”."


def test_a_change_to_a_rule_that_was_reworded_since_conflicts() -> None:
    proposal = Proposal("change", 2, "Kind", "Kinder.", old_title="Kind", old_text="Be nice.")
    problem = conflict(proposal, BEFORE, 4)
    assert (
        problem is not None
        and problem.code == "proposal_outdated"
        and "Version 4" in problem.message
    )


def test_a_removal_of_a_removed_rule_conflicts() -> None:
    proposal = Proposal("remove", 9, old_title="Gone", old_text="x")
    problem = conflict(proposal, BEFORE, 2)
    assert problem is not None and problem.code == "rule_removed"


def test_an_addition_whose_title_is_taken_conflicts_whatever_its_case() -> None:
    problem = conflict(Proposal("add", None, "KIND", "Other words."), BEFORE, 3)
    assert problem is not None and problem.code == "duplicate_title"
    assert conflict(Proposal("add", None, "Gentle", "Words."), BEFORE, 3) is None


def test_a_change_may_keep_its_own_title() -> None:
    proposal = Proposal("change", 2, "Kind", "Kinder.", old_title="Kind", old_text="Be kind.")
    assert conflict(proposal, BEFORE, 1) is None
    assert apply(proposal, BEFORE)[1] == Draft(2, "Kind", "Kinder.")


def test_apply_adds_at_the_end_and_removes_by_id() -> None:
    assert apply(Proposal("add", None, "New", "Fresh."), BEFORE)[-1] == Draft(None, "New", "Fresh.")
    assert [d.rule_id for d in apply(Proposal("remove", 2), BEFORE)] == [1, 3]
