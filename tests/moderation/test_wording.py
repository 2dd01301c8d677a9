"""Reasons are stored once in English with their template, and worded again for a reader."""

from __future__ import annotations

from moderation.decision import Reason
from moderation.wording import ATTACK_WORDS, HELD_AS, TARGET_WORDS, said, worded

SPANISH = {
    HELD_AS: "Esto podría leerse como %(what)s, así que un moderador lo leerá antes.",
    ATTACK_WORDS["insult"]: "un insulto dirigido a %(who)s",
    TARGET_WORDS["you"]: "alguien de la conversación",
    "Reported: %(reason)s": "Denunciado: %(reason)s",
    "self-harm": "autolesión",
    "grief and loss": "duelo y pérdida",
    "A content warning (%(warnings)s) was added.": "Se añadió un aviso (%(warnings)s).",
}


def spanish(message: str) -> str:
    return SPANISH.get(message, message)


def test_an_attack_reason_is_worded_in_english_and_again_in_spanish() -> None:
    words = {"what": ATTACK_WORDS["insult"], "who": TARGET_WORDS["you"]}
    reason = Reason.worded("toxicity", HELD_AS, words, rule="insult.you").to_dict()
    assert reason["message"] == (
        "This may read as an insult aimed at someone in the conversation, so a moderator "
        "will read it before others can see it."
    )
    assert said(reason) == reason["message"]
    assert said(reason, spanish) == (
        "Esto podría leerse como un insulto dirigido a alguien de la conversación, así que "
        "un moderador lo leerá antes."
    )


def test_a_members_own_words_are_never_translated_or_read_as_a_template() -> None:
    reason = {
        "kind": "report",
        "message": "Reported: self-harm %(who)s",
        "template": "Reported: %(reason)s",
        "values": {"reason": "self-harm %(who)s"},
    }
    assert said(reason, spanish) == "Denunciado: self-harm %(who)s"


def test_several_words_in_one_place_are_each_translated() -> None:
    template = "A content warning (%(warnings)s) was added."
    words = {"warnings": ["self-harm", "grief and loss"]}
    assert worded(template, words) == "A content warning (self-harm, grief and loss) was added."
    assert worded(template, words, translate=spanish) == (
        "Se añadió un aviso (autolesión, duelo y pérdida)."
    )


def test_a_translation_that_lost_its_place_falls_back_to_english() -> None:
    def broken(message: str) -> str:
        return "Denunciado: %(razon)s" if message == "Reported: %(reason)s" else message

    reason = {"kind": "report", "template": "Reported: %(reason)s", "values": {"reason": "x"}}
    assert said(reason, broken) == "Reported: x"


def test_a_reason_stored_before_templates_is_translated_by_its_words() -> None:
    old = {"kind": "report", "message": "Reported: self-harm"}
    assert said(old, spanish) == "Reported: self-harm"
    fixed = {"kind": "toxicity", "message": "self-harm"}
    assert said(fixed, spanish) == "autolesión"
    assert said({"kind": "toxicity", "message": ""}, lambda m: "catalog header") == ""
