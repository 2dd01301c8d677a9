"""Training the crisis model: deterministic artifacts, held-out rows never read, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from forum.cli import main
from moderation.crisis_model import MODEL_FILES, CrisisModel
from moderation.crisis_train import (
    EXTRA_NAME,
    build,
    extra_examples,
    reddit_examples,
    short_examples,
    split_of,
)

CALM = [
    "lovely walk by the river with the dog today",
    "anyone watching the match tonight? come on you reds",
    "finished my first scarf, the stitches are wonky but I love it",
    "my sister got into university, so proud of her",
    "baked bread for the first time, it came out like a brick haha",
    "new job starts monday, nervous but excited",
    "the cat knocked my tea over again",
    "we are off on holiday for two weeks, goodbye everyone!",
]
CRISIS = [
    "I want to die, I can't do this anymore",
    "I have the pills ready and I'm doing it tonight",
    "everyone would be better off without me",
    "I've written my goodbye letters, this is it",
    "no reason to keep living, I'm done",
    "I keep cutting my arms and I can't stop",
    "I gave away my cat and my guitar, I won't need them",
    "I feel like such a burden to everyone around me",
]


def _write(tmp_path: Path) -> tuple[Path, Path]:
    reddit = tmp_path / "reddit.csv"
    with reddit.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "text", "class"])
        for n in range(6):
            for i, text in enumerate(CALM):
                writer.writerow([i, f"{text} ({n})", "non-suicide"])
            for i, text in enumerate(CRISIS):
                writer.writerow([i, f"{text} ({n})", "suicide"])
    short = tmp_path / "short.csv"
    with short.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "level", "category"])
        signs = ["wish_to_die", "means", "burden", "letters_will", "no_reason", "self_harm"]
        for n in range(4):
            for i, text in enumerate(CRISIS):
                level = "urgent" if "tonight" in text else "concern"
                writer.writerow([f"{text} #{n}", level, signs[i % len(signs)]])
            for text in CALM:
                writer.writerow([f"{text} #{n}", "none", "calm"])
    return reddit, short


def test_training_twice_writes_the_same_bytes(tmp_path: Path) -> None:
    reddit, short = _write(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    build(reddit, [short], first, folds=2)
    build(reddit, [short], second, folds=2)
    for name in MODEL_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    model = CrisisModel.load(first)
    assert model.version


def test_only_development_halves_are_read(tmp_path: Path) -> None:
    reddit, short = _write(tmp_path)
    for example in reddit_examples(reddit):
        assert split_of(example.text) == "dev"
    for example in short_examples([short]):
        assert split_of(example.text) == "dev"


def test_extra_messages_are_used_whole_and_only_beside_the_short_files(tmp_path: Path) -> None:
    reddit, short = _write(tmp_path)
    extra = tmp_path / EXTRA_NAME
    with extra.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "level", "category"])
        for n in range(10):
            writer.writerow([f"I have saved my pills for the night {n}", "urgent", "means"])
    rows = extra_examples([extra])
    # Training-only: both halves of the hash split are read.
    assert len(rows) == 10 and {split_of(e.text) for e in rows} == {"dev", "heldout"}
    second = tmp_path / "crisis_extra_2.csv"
    with second.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "level", "category"])
        writer.writerow(["I am off on holiday, goodbye everyone", "none", "farewell"])
    meta = build(reddit, [short], tmp_path / "with", folds=2)
    used = meta["training"]["data"]["short"]
    assert used[-2:] == [f"{name}, all rows (training only)" for name in (EXTRA_NAME, second.name)]
    alone = build(reddit, [short], tmp_path / "without", folds=2, extra=[])
    assert meta["training"]["short"]["rows"] == alone["training"]["short"]["rows"] + 11


def test_unknown_level_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,level,category\nsome words here,severe,burden\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown level 'severe'"):
        short_examples([bad])


def test_cli_train_crisis_writes_the_artifact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reddit, short = _write(tmp_path)
    out = tmp_path / "model"
    argv = ["models", "train-crisis", "--reddit", str(reddit), "--short", str(short)]
    code = main([*argv, "--out", str(out), "--folds", "2"])
    assert code == 0
    assert all((out / name).exists() for name in MODEL_FILES)
    assert "Wrote the crisis model" in capsys.readouterr().out


def test_cli_train_crisis_missing_data_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["models", "train-crisis", "--reddit", str(tmp_path / "nope.csv")])
    assert code == 1
    assert "circles models train-crisis" in capsys.readouterr().err
