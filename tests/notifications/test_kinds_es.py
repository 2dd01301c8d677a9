"""A notification is worded when it is read, in the reader's language."""

from __future__ import annotations

from forum import i18n
from forum.notifications.kinds import KINDS, decision_text, optional_labels, report_text
from forum.review import wording


def test_a_decision_reads_in_english_by_default_and_in_spanish_when_asked() -> None:
    data = {"decision": "remove", "content_type": "post", "rule_title": "Be kind", "note": ""}
    assert decision_text(data) == "Your post was removed. The ground rule: “Be kind”."
    with i18n.using("es"):
        spanish = decision_text(data)
    assert spanish == "Tu publicación se retiró. La norma de convivencia: «Be kind»."


def test_a_report_outcome_names_the_kind_of_content_in_spanish() -> None:
    with i18n.using("es"):
        words = report_text({"decision": "approve", "content_type": "chat_message"})
    assert words.startswith("Gracias por tu reporte.") and "mensaje del chat" in words


def test_the_waiting_notice_words_its_lines_for_the_reader() -> None:
    data = {
        "message": wording.WAITING,
        "lines": [{"name": "Samaritans", "phone": "116 123", "other": ""}, "Older: call 1"],
    }
    text = KINDS["support_waiting"].text
    assert text(data).endswith("Samaritans: call 116 123 Older: call 1")
    with i18n.using("es"):
        spanish = text(data)
    assert spanish.startswith("No nos hemos olvidado de lo que escribiste.")
    assert "Samaritans: llama al 116 123" in spanish  # names and numbers as they are


def test_a_check_in_reply_without_a_name_says_the_member_in_each_language() -> None:
    text = KINDS["check_in_reply"].text
    assert text({"room_id": 1, "member": ""}) == "The member replied to your check-in."
    with i18n.using("es"):
        assert text({"room_id": 1, "member": "Jo"}) == "Jo respondió a tu mensaje de apoyo."


def test_the_settings_labels_follow_the_reader() -> None:
    assert optional_labels()["reply"] == "Replies to your threads"
    with i18n.using("es"):
        assert optional_labels()["reply"] == "Respuestas a tus conversaciones"
