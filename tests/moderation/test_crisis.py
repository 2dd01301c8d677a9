"""Crisis detection: levels, evasions, negation, idioms, other people, and pattern files."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.crisis import (
    CRISIS_VERSION,
    CrisisDetector,
    CrisisLevel,
    CrisisResult,
)
from moderation.crisis_regex import bounded, compile_scanner, first_chars, prefixes, translate

BASE = Path(__file__).resolve().parents[2] / "moderation" / "data" / "crisis_patterns.toml"
# These tests pin down the rules; the model that reads their findings beside the words is
# tested in test_crisis_model.py.
RULES = CrisisDetector.from_file(BASE)


def detect(text: str) -> CrisisResult:
    return RULES.detect(text)


def _fullwidth(text: str) -> str:
    """The fullwidth forms of ASCII letters, as typed to dodge filters."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in text)


def _categories(result: CrisisResult) -> set[str]:
    return {m.category for m in result.matches if m.level is not CrisisLevel.NONE}


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "I don't want to be here anymore",
        "I've been cutting again",
        "honestly i just want to disappear forever",
        "everyone would be better off without me",
        "there's no reason to live anymore",
        "I can't do this anymore.",
        "I keep thinking about ending my life",
        "I'm such a burden to my family",
        "I wish I had never been born",
        "the pain will never get better",
        "nobody cares about me.",
    ],
)
def test_ideation_and_current_self_harm_are_concern(text: str) -> None:
    assert detect(text).level is CrisisLevel.CONCERN


@pytest.mark.parametrize(
    "text",
    [
        "I took all my pills",
        "tonight is the night.",
        "this is goodbye, the pills are counted out",
        "I have the rope",
        "I'm going to kill myself tomorrow",
        "I've saved up enough sleeping pills to end it",
        "by the time you read this I'll be gone",
        "I swallowed 40 tablets an hour ago",
        "I'm standing on the bridge right now",
    ],
)
def test_plans_means_timing_goodbyes_and_acts_are_urgent(text: str) -> None:
    assert detect(text).level is CrisisLevel.URGENT


@pytest.mark.parametrize(
    "text",
    ["this is goodbye", "goodbye forever, I love you all", "saying my last goodbyes"],
)
def test_a_goodbye_alone_is_concern_until_means_a_plan_or_a_time_come_with_it(
    text: str,
) -> None:
    """Issue 11: urgent is a plan, means, a time, or a goodbye with means."""
    found = detect(text)
    assert found.level is CrisisLevel.CONCERN
    assert "goodbye" in found.signs


@pytest.mark.parametrize(
    "text",
    [
        "Goodbye forever to my old job!!! Handed in my badge today",
        "bye forever, student debt! last payment went through",
        "So this is goodbye. My exchange semester is over and I fly home tomorrow",
        "I'll be gone by the time most of you read this, early flight to Lisbon!",
    ],
)
def test_ordinary_farewells_are_not_goodbyes(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_a_farewell_to_people_is_still_a_goodbye() -> None:
    assert detect("goodbye forever to my family").level is CrisisLevel.CONCERN


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal, just tired of my commute",
        "I would never kill myself",
        "I don't want to die, I want to live a long life",
        "I'm not going to hurt myself, promise",
        "please don't kill yourself, we love you",
    ],
)
def test_negated_statements_are_not_crisis(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "this exam is killing me",
        "dying to see the new film",
        "my phone died again",
        "I'm dead lol that meme",
        "she is killing it on stage",
        "I could kill for a coffee",
        "I nearly died of embarrassment in class",
        "the Suicide Squad sequel was fun",
        "we ran 5 kms this morning",
        "I have to catch the bus to school at 7",
        "I'd rather die than wear those shoes",
        "I'm so proud of myself today",
        "my nose is bleeding again, dry air",
        "suicide prevention month starts with a walk",
        "I cut myself shaving this morning",
        "I'm going to die of boredom in this meeting",
        "what a killer workout, I'm dead",
    ],
)
def test_figures_of_speech_are_not_crisis(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_someone_elses_crisis_is_noted_without_raising_the_level() -> None:
    result = detect("my friend says she wants to die")
    assert result.level is CrisisLevel.NONE
    assert [(m.category, m.level) for m in result.matches] == [("suicide", CrisisLevel.NONE)]


def test_question_about_helping_someone_is_not_the_authors_crisis() -> None:
    assert detect("how do I help someone who is suicidal?").level is CrisisLevel.NONE


def test_recovered_past_self_harm_is_not_crisis() -> None:
    assert detect("I used to self-harm, three years clean now").level is CrisisLevel.NONE


def test_past_attempt_does_not_hide_present_ideation() -> None:
    result = detect("I tried to kill myself years ago. Now I want to die again.")
    assert result.level is CrisisLevel.CONCERN


def test_first_person_after_other_people_is_still_the_author() -> None:
    assert detect("my mom yells and I want to die").level is CrisisLevel.CONCERN


def test_why_shouldnt_i_asks_rather_than_denies() -> None:
    assert detect("why shouldn't I kill myself").level is CrisisLevel.CONCERN


@pytest.mark.parametrize(
    "text",
    [
        "k i l l  m y s e l f",
        "thinking about su1cide",
        "gonna k!ll mys3lf",
        "i want to ki\u200bll myself",
        _fullwidth("kill myself"),
        "i want to unalive myself",
        "thinking about sewerslide a lot",
        "ugh kms",
        "ready to ctb",
        "i want to dieeeee",
        "S.U.I.C.I.D.E is all i think about",
    ],
)
def test_evasive_spellings_are_caught(text: str) -> None:
    assert _categories(detect(text)) == {"suicide"}


def test_kys_is_abuse_aimed_at_someone_else() -> None:
    result = detect("nobody likes you, just kys")
    assert result.level is CrisisLevel.CONCERN
    assert _categories(result) == {"harm_to_others"}


def test_threat_to_shoot_up_a_school_is_urgent_harm_to_others() -> None:
    result = detect("I'm going to shoot up the school on friday")
    assert result.level is CrisisLevel.URGENT
    assert "harm_to_others" in _categories(result)


def test_wanting_to_kill_someone_is_harm_to_others() -> None:
    result = detect("some days I want to kill him")
    assert result.level is CrisisLevel.CONCERN
    assert _categories(result) == {"harm_to_others"}


def test_self_harm_is_its_own_category() -> None:
    assert _categories(detect("the urge to cut is so strong tonight")) == {"self_harm"}


def test_title_run_into_body_still_matches() -> None:
    assert detect("I want to dieNobody would notice").level is CrisisLevel.CONCERN
    assert detect("12 reasons to kill myselfi failed my exam").level is CrisisLevel.CONCERN


def test_match_span_points_at_the_original_characters() -> None:
    text = "ugh. K I L L  M Y S E L F"
    [match] = detect(text).matches
    assert (match.start, match.end) == (5, len(text))
    assert match.text == text[match.start : match.end] == "K I L L  M Y S E L F"


def test_level_is_the_highest_of_the_matches_and_each_names_its_rule() -> None:
    result = detect("I want to die. I have the rope.")
    assert result.level is CrisisLevel.URGENT
    assert {m.level for m in result.matches} == {CrisisLevel.CONCERN, CrisisLevel.URGENT}
    assert {m.rule for m in result.matches} >= {"suicide.want_to_die", "suicide.means"}


def test_to_dict_lists_level_and_matches_as_plain_values() -> None:
    data = detect("I have the rope").to_dict()
    assert data["level"] == "urgent"
    assert data["matches"] == [
        {
            "rule": "suicide.means",
            "category": "suicide",
            "level": "urgent",
            "start": 0,
            "end": 15,
            "text": "I have the rope",
            "sign": "means",
        }
    ]


def test_empty_and_ordinary_text_is_none() -> None:
    assert detect("") == CrisisResult(CrisisLevel.NONE, ())
    assert detect("Lovely walk by the river, then soup.").level is CrisisLevel.NONE


def test_extra_pattern_file_adds_rules(tmp_path: Path) -> None:
    extra = tmp_path / "local.toml"
    extra.write_text(
        "[[rule]]\nid = 'suicide.local'\ncategory = 'suicide'\nlevel = 'urgent'\n"
        "patterns = ['walk into the (sea|loch)']\n"
    )
    detector = CrisisDetector.from_file(BASE, [extra])
    assert detector.detect("I will walk into the loch").level is CrisisLevel.URGENT
    assert detect("I will walk into the loch").level is CrisisLevel.NONE


def test_extra_rule_with_an_existing_id_replaces_it(tmp_path: Path) -> None:
    extra = tmp_path / "local.toml"
    extra.write_text(
        "[[rule]]\nid = 'suicide.named'\ncategory = 'suicide'\nlevel = 'urgent'\n"
        "patterns = ['suicid(e|al)']\n"
    )
    detector = CrisisDetector.default().extended(extra)
    assert detector.detect("I feel suicidal").level is CrisisLevel.URGENT
    assert detector.detect("thinking about sewerslide").level is CrisisLevel.NONE


def test_extra_context_words_extend_the_lists(tmp_path: Path) -> None:
    extra = tmp_path / "local.toml"
    extra.write_text("[context]\nother_words = ['roommate']\n")
    detector = CrisisDetector.from_file(BASE, [extra])
    assert detector.detect("my roommate is suicidal").level is CrisisLevel.NONE
    assert detect("my roommate is suicidal").level is CrisisLevel.CONCERN


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("patterns = ['(unclosed']", "bad crisis pattern"),
        ("patterns = ['{nosuchmacro}']", "unknown crisis macro"),
    ],
)
def test_broken_pattern_files_fail_loudly(tmp_path: Path, body: str, error: str) -> None:
    extra = tmp_path / "broken.toml"
    extra.write_text(f"[[rule]]\nid = 'x'\ncategory = 'suicide'\nlevel = 'concern'\n{body}\n")
    with pytest.raises(ValueError, match=error):
        CrisisDetector.from_file(BASE, [extra])


def test_rule_with_unknown_category_is_rejected(tmp_path: Path) -> None:
    extra = tmp_path / "broken.toml"
    extra.write_text("[[rule]]\nid = 'x'\ncategory = 'sad'\nlevel = 'concern'\npatterns = ['x']\n")
    with pytest.raises(ValueError, match="unknown category"):
        CrisisDetector.from_file(BASE, [extra])


def test_version_names_code_and_pattern_data() -> None:
    version = CrisisDetector.default().version
    assert version.startswith(f"{CRISIS_VERSION}/")
    assert version != f"{CRISIS_VERSION}/unversioned"


def test_pattern_spaces_match_any_gap_and_doubled_letters_match_single() -> None:
    import re

    regex = re.compile(translate("kill myself"))
    assert regex.fullmatch("kil myself")
    assert regex.fullmatch("killmyself")
    assert regex.fullmatch("kill - myself")
    assert not regex.fullmatch("kill. myself")


def test_first_letters_of_a_pattern_are_found_through_optional_groups() -> None:
    assert first_chars(translate("(so )?(sad|lonely)")) == frozenset("sl")
    assert first_chars(translate("[^a]bc")) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'm done.",
        "i think im just done",
        "I give up.",
        "I've given up on getting better",
        "why was I even born",
        "I should never have been born",
        "I just want a way out",
        "there's no way out of this for me",
        "please make the pain stop",
        "too exhausted to keep fighting",
        "I can't stand being alive",
        "I don't want to hurt anymore",
        "I'm not going to make it.",
        "I don't think I'll make it through the night",
        "I no longer have the will to live",
        "I can't see a future for me",
        "nobody would even notice me",
        "why keep going?",
        "If it weren't for my dog I wouldn't be here",
        "I'd rather just die than face another day",
        "I want to bring an end to this miserable existence",
        "what is the least painful way to go",
        "I wish it would all be over",
    ],
)
def test_entrapment_and_loss_of_will_to_live_are_suicide_concern(text: str) -> None:
    result = detect(text)
    assert result.level is CrisisLevel.CONCERN
    assert _categories(result) == {"suicide"}


@pytest.mark.parametrize(
    "text",
    [
        "I'm so tired after work",
        "I'm done with my homework",
        "I'm done, see you at lunch",
        "I give up on this level, it's impossible",
        "I can't take this heat anymore",
        "nothing will ever beat this pizza",
        "I hate myself",
        "I hate my life choices lol",
        "the tank is empty again",
        "my foot feels numb",
        "I'd rather die than wear those shoes",
        "best way to die in minecraft?",
        "I wouldn't be here without my coach",
        "I'm ready to go to the party",
        "I'll do it tomorrow, promise",
        "tonight's the night of the big game",
        "today it rained all day",
        "I need to find a way out of this building",
        "I'm not done yet",
    ],
)
def test_everyday_near_misses_are_not_crisis(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "I don't hate my life, it's fine",
        "I used to hate my life in high school",
        "my sister says she feels empty",
        "I'm not going to give up.",
    ],
)
def test_new_families_respect_negation_past_and_other_people(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_joking_death_wish_stays_concern() -> None:
    # A "lol" often masks a real wish; concern only shows resources and asks a peer to look.
    assert detect("this game makes me want to die lol").level is CrisisLevel.CONCERN


def test_hate_my_life_is_concern_but_hate_myself_is_not_crisis() -> None:
    assert detect("I hate my life").level is CrisisLevel.CONCERN
    assert detect("I hate myself so much").level is CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "I want to die. I'll do it tonight.",
        "I can't go on like this. I'm trying again today.",
        "I've made my decision. There's no reason to live.",
        "I don't want to be alive. I know how I'm going to do it.",
        "Nobody would miss me. I have the means.",
        "I want to end my life. Farewell.",
    ],
)
def test_plan_language_beside_ideation_is_urgent(text: str) -> None:
    result = detect(text)
    assert result.level is CrisisLevel.URGENT
    assert "suicide.plan_in_context" in {m.rule for m in result.matches}


@pytest.mark.parametrize(
    "text",
    ["I'll do it tonight", "I've made my decision.", "I have the means.", "Farewell."],
)
def test_plan_language_alone_is_everyday_speech(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_plan_language_cannot_support_itself() -> None:
    # "goodbye everyone" is a farewell: it counts only beside other crisis words (issue 11:
    # "Goodbye everyone, off on holiday" raised an alarm), and may not vouch for itself.
    assert detect("goodbye everyone").level is CrisisLevel.NONE
    assert detect("goodbye everyone, I want to die").level is not CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "would 30 of my sleeping pills be enough to do it",
        "I took 400 mg of something, will it kill me",
    ],
)
def test_asking_whether_a_dose_is_enough_is_urgent(text: str) -> None:
    assert detect(text).level is CrisisLevel.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "there are fresh cuts on my thighs",
        "I'll just cut again tonight",
        "I like to watch myself bleed",
    ],
)
def test_present_self_harm_is_concern(text: str) -> None:
    result = detect(text)
    assert result.level.rank >= CrisisLevel.CONCERN.rank
    assert "self_harm" in _categories(result)


def test_rule_needing_an_unknown_category_is_rejected(tmp_path: Path) -> None:
    extra = tmp_path / "broken.toml"
    extra.write_text(
        "[[rule]]\nid = 'x'\ncategory = 'suicide'\nlevel = 'urgent'\nneeds = 'sad'\n"
        "patterns = ['x']\n"
    )
    with pytest.raises(ValueError, match="unknown category"):
        CrisisDetector.from_file(BASE, [extra])


def test_prefixes_of_a_pattern_cover_its_first_two_characters() -> None:
    assert prefixes(translate("kill myself")) == frozenset({"ki"})
    assert prefixes(translate("(so )?(sad|lonely)")) == frozenset({"so", "sa", "lo"})
    # A gap (any non-letter) may follow a one-letter word, or nothing at all.
    assert prefixes(translate("i want")) == frozenset({"i ", "iw"})
    assert prefixes(translate("a.b")) is None


def test_scanner_finds_the_same_starts_as_a_plain_alternation() -> None:
    import re

    patterns = ["kill myself", "(i )?(just )?cant any ?more", "kms", r"\d+ ?mg"]
    bodies = [translate(p) for p in patterns]
    plain = re.compile(bounded("|".join(bodies)))
    scanner = compile_scanner(bodies)
    assert scanner is not None
    text = "ok so i just cant anymore. kms. 40mg. killmyself i kill myself. skill myself"
    assert [m.start() for m in scanner.finditer(text)] == [m.start() for m in plain.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop crying tonight",
        "I feel so alone.",
        "i feel so lonely all the time",
        "I feel so empty and worthless",
        "nobody cares about me.",
        "I have no one to talk to",
        "I'm so depressed",
        "my depression is getting worse",
        "everything is falling apart",
        "I'm breaking down",
        "I'm not okay.",
        "please someone talk to me",
        "I hate my life",
        "I'm having a panic attack right now",
        "I'm in a really dark place",
        "I feel like such a failure",
        "I've hit my breaking point",
        "i dont know what to do anymore",
        "I feel like giving up",
        "honestly I hate my life",
        "i feel numb and hollow",
        "I have nothing left.",
    ],
)
def test_first_person_despair_is_distress_concern_only(text: str) -> None:
    result = detect(text)
    assert result.level is CrisisLevel.CONCERN
    assert result.matches
    assert all(m.category == "distress" for m in result.matches)


@pytest.mark.parametrize(
    "text",
    [
        "my friend is depressed",
        "he is having a panic attack, how do I help him?",
        "I used to feel so alone in middle school",
        "I'm not depressed anymore",
        "I don't feel lonely at all",
        "I'm not breaking down, just tired",
        "I'm not alone anymore, thanks to you all",
        "I'm dying of boredom",
        "this homework is depressing",
        "I'm so done with this game",
        "lonely planet has great travel guides",
        "I was crying laughing at that video",
        "I literally can't even",
        "nobody cares about my fantasy league lol",
        "the economy is falling apart",
        "I'm so lost in this new game",
        "I'm so useless at maths",
        "keep the plant in a dark place",
        "the peace talks reached a breaking point",
        "I feel like giving up on this level",
        "the puppy was alone and scared",
        "my dog is in so much pain after surgery",
        "the game gets harder every level",
        "I'm lost, which bus goes downtown?",
    ],
)
def test_distress_near_misses_are_not_crisis(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_someone_elses_distress_is_noted_at_level_none() -> None:
    result = detect("my sister says she feels so alone")
    assert result.level is CrisisLevel.NONE
    assert {m.category for m in result.matches} == {"distress"}


@pytest.mark.parametrize(
    "text",
    ["I want to die", "there's no reason to live", "everyone would be better off without me"],
)
def test_ideation_stays_suicide_not_distress(text: str) -> None:
    result = detect(text)
    assert result.level is CrisisLevel.CONCERN
    assert _categories(result) == {"suicide"}


def test_tired_of_living_beside_despair_keeps_the_suicide_category() -> None:
    assert _categories(detect("I feel so alone. I'm tired of living.")) == {"distress", "suicide"}


def test_distress_rule_cannot_be_urgent(tmp_path: Path) -> None:
    extra = tmp_path / "urgent_distress.toml"
    extra.write_text(
        "[[rule]]\nid = 'x'\ncategory = 'distress'\nlevel = 'urgent'\npatterns = ['sad']\n"
    )
    with pytest.raises(ValueError, match="concern only"):
        CrisisDetector.from_file(BASE, [extra])
