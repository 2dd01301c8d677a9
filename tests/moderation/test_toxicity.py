"""Tests for the toxicity scorers and the choice between them."""

from __future__ import annotations

import inspect
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moderation.toxicity import (
    DetoxifyScorer,
    EmbeddedScorer,
    ToxicityError,
    build_scorer,
    fetch_detoxify_weights,
)

ABUSIVE = "You are a worthless stupid idiot and everyone hates you, shut up"
KIND = "Thank you for sharing this, I am glad you found a circle that helps"
TEXTS = [ABUSIVE, KIND, "I love my friend", "this is a test"]

# detoxify's "original" classes, which its loader renames to the standard labels.
CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
# A vocabulary of about a hundred words, covering the sentences the tests score.
WORDS = sorted({word.strip(",").lower() for word in " ".join(TEXTS).split()}) + [
    f"filler{i}" for i in range(80)
]


@pytest.fixture(scope="module")
def embedded() -> EmbeddedScorer:
    return EmbeddedScorer()


@pytest.fixture(scope="module")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny random BERT saved in detoxify's checkpoint format, with its config folder."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("detoxify")
    transformers = pytest.importorskip("transformers")
    root = tmp_path_factory.mktemp("detoxify")
    config_dir = root / "config"
    config_dir.mkdir()
    vocab = config_dir / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    # transformers 5 takes the vocabulary as `vocab` and silently ignores `vocab_file`.
    parameters = inspect.signature(transformers.BertTokenizer.__init__).parameters
    key = "vocab_file" if "vocab_file" in parameters else "vocab"
    tokenizer = transformers.BertTokenizer(**{key: str(vocab)}, model_max_length=64)
    # The tiny model must read real words, not a row of [UNK]s.
    assert tokenizer.unk_token_id not in tokenizer(WORDS[0])["input_ids"]
    tokenizer.save_pretrained(config_dir)
    config = transformers.BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
        num_labels=len(CLASSES),
    )
    config.save_pretrained(config_dir)
    torch.manual_seed(7)
    model = transformers.BertForSequenceClassification(config)
    checkpoint = root / "tiny.ckpt"
    torch.save(_checkpoint_dict(str(config_dir), model.state_dict()), checkpoint)
    return checkpoint, config_dir


def _checkpoint_dict(model_type: str, state_dict: Any) -> dict[str, Any]:
    arch_args = {
        # detoxify resolves model_type by name before it reads the local config folder.
        "model_type": model_type,
        "model_name": "BertForSequenceClassification",
        "tokenizer_name": "BertTokenizer",
        "num_classes": len(CLASSES),
    }
    return {
        "config": {"arch": {"args": arch_args}, "dataset": {"args": {"classes": CLASSES}}},
        "state_dict": state_dict,
    }


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record, and refuse, any attempt to resolve a host or open a connection."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


def _assert_scores(scores: list[dict[str, float]], count: int, labels: tuple[str, ...]) -> None:
    assert len(scores) == count
    for row in scores:
        assert tuple(row) == labels
        assert all(0.0 <= value <= 1.0 for value in row.values())


def test_embedded_scorer_ranks_abuse_above_kindness(embedded: EmbeddedScorer) -> None:
    abusive, kind = embedded.score([ABUSIVE, KIND])
    assert abusive["toxicity"] > 0.9
    assert kind["toxicity"] < 0.1
    assert embedded.name.startswith("embedded:alt-profanity-check ")
    assert embedded.labels == ("toxicity",)


def test_embedded_scorer_batch_equals_one_by_one(embedded: EmbeddedScorer) -> None:
    batched = embedded.score(TEXTS)
    _assert_scores(batched, len(TEXTS), ("toxicity",))
    one_by_one = [embedded.score([text])[0] for text in TEXTS]
    for got, expected in zip(batched, one_by_one, strict=True):
        assert got == pytest.approx(expected)


def test_embedded_scorer_scores_empty_batch_as_empty(embedded: EmbeddedScorer) -> None:
    assert embedded.score([]) == []


def test_embedded_scorer_wraps_backend_failure(embedded: EmbeddedScorer) -> None:
    with pytest.raises(ToxicityError, match="embedded:alt-profanity-check"):
        embedded.score([None])  # type: ignore[list-item]


def test_auto_falls_back_to_embedded_without_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="circles.moderation"):
        scorer = build_scorer("auto")
    assert isinstance(scorer, EmbeddedScorer)
    [record] = caplog.records
    assert scorer.name in record.getMessage()
    assert "fallback" in record.getMessage()


def test_auto_falls_back_when_given_checkpoint_is_missing(tmp_path: Path) -> None:
    scorer = build_scorer("auto", checkpoint=str(tmp_path / "missing.ckpt"))
    assert isinstance(scorer, EmbeddedScorer)


def test_build_scorer_rejects_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown toxicity backend 'perspective'"):
        build_scorer("perspective")


def test_detoxify_scorer_loads_tiny_checkpoint_through_detoxify(
    tiny_detoxify: tuple[Path, Path], no_network: list[str]
) -> None:
    checkpoint, config_dir = tiny_detoxify
    scorer = build_scorer("detoxify", checkpoint=str(checkpoint), config_dir=str(config_dir))
    assert isinstance(scorer, DetoxifyScorer)
    assert scorer.labels == LABELS
    assert scorer.name == f"detoxify:checkpoint:{checkpoint}"
    _assert_scores(scorer.score(TEXTS), len(TEXTS), LABELS)
    assert no_network == []


def test_detoxify_scorer_batch_equals_one_by_one(tiny_detoxify: tuple[Path, Path]) -> None:
    checkpoint, config_dir = tiny_detoxify
    scorer = DetoxifyScorer(checkpoint=str(checkpoint), config_dir=str(config_dir), batch_size=3)
    batched = scorer.score(TEXTS)
    one_by_one = [scorer.score([text])[0] for text in TEXTS]
    for got, expected in zip(batched, one_by_one, strict=True):
        assert got == pytest.approx(expected, abs=1e-5)


def test_auto_picks_detoxify_when_checkpoint_given(
    tiny_detoxify: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    checkpoint, config_dir = tiny_detoxify
    with caplog.at_level(logging.INFO, logger="circles.moderation"):
        scorer = build_scorer("auto", checkpoint=str(checkpoint), config_dir=str(config_dir))
    assert isinstance(scorer, DetoxifyScorer)
    [record] = caplog.records
    assert f"detoxify:checkpoint:{checkpoint}" in record.getMessage()
    assert "weights found" in record.getMessage()


def test_detoxify_scorer_stays_offline_with_config_dir(
    tiny_detoxify: tuple[Path, Path], tmp_path: Path, no_network: list[str]
) -> None:
    torch = pytest.importorskip("torch")
    _, config_dir = tiny_detoxify
    checkpoint = tmp_path / "hub-named.ckpt"
    torch.save(_checkpoint_dict("circles-tests/not-a-cached-model", {}), checkpoint)
    with pytest.raises(ToxicityError, match="offline"):
        DetoxifyScorer(checkpoint=str(checkpoint), config_dir=str(config_dir))
    assert no_network == []


def test_detoxify_scorer_rejects_checkpoint_without_config(
    tiny_detoxify: tuple[Path, Path], tmp_path: Path
) -> None:
    torch = pytest.importorskip("torch")
    checkpoint = tmp_path / "bare.ckpt"
    torch.save({"state_dict": {}}, checkpoint)
    with pytest.raises(ToxicityError, match="cannot load detoxify:checkpoint"):
        DetoxifyScorer(checkpoint=str(checkpoint), config_dir=str(tiny_detoxify[1]))


def test_detoxify_scorer_rejects_unknown_model_type() -> None:
    pytest.importorskip("detoxify")
    with pytest.raises(ToxicityError, match="unknown detoxify model type 'huge'"):
        DetoxifyScorer("huge")


def test_fetch_weights_raises_toxicity_error_when_url_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detoxify_module = pytest.importorskip("detoxify.detoxify")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port just released, so the connection is refused at once.
    url = f"http://127.0.0.1:{port}/toxic_original-c1212f89.ckpt"
    monkeypatch.setitem(detoxify_module.MODEL_URLS, "original", url)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(ToxicityError, match=r"could not download detoxify 'original' weights"):
        fetch_detoxify_weights("original", progress=False)
    assert not (tmp_path / "hub" / "checkpoints" / "toxic_original-c1212f89.ckpt").exists()
