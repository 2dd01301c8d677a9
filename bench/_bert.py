"""Build a randomly initialised bert-base detoxify checkpoint, cached in a temp folder."""

from __future__ import annotations

import inspect
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# bert-base-uncased's shape; the weights are random, so the scores mean nothing.
HIDDEN = 768
LAYERS = 12
HEADS = 12
INTERMEDIATE = 3072
VOCAB_SIZE = 30522
MAX_POSITIONS = 512
# detoxify's "original" classes, which its loader renames to the standard labels.
CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Bump when the layout below changes, so a stale cache is not reused.
CACHE_VERSION = "3"
CACHE_DIR = Path(tempfile.gettempdir()) / f"circles-bench-bert-base-v{CACHE_VERSION}"


def build_vocab(corpus: Iterable[str]) -> list[str]:
    """A WordPiece vocabulary of VOCAB_SIZE tokens: specials, characters, frequent words."""
    characters = [chr(c) for c in range(33, 127) if not chr(c).isupper()]
    tokens = SPECIALS + characters + [f"##{c}" for c in characters if c.isalnum()]
    counts = Counter(word for text in corpus for word in re.findall(r"[a-z]+", text.lower()))
    seen = set(tokens)
    for word, _ in counts.most_common():
        if len(tokens) >= VOCAB_SIZE:
            break
        for token in (word, f"##{word}"):
            if token not in seen and len(tokens) < VOCAB_SIZE:
                tokens.append(token)
                seen.add(token)
    tokens += [f"[unused{i}]" for i in range(VOCAB_SIZE - len(tokens))]
    return tokens


def bert_base_checkpoint(corpus: Iterable[str], seed: int = 0) -> tuple[Path, Path]:
    """(checkpoint, config folder) for a random bert-base in detoxify's checkpoint format.

    Built once (about 440 MB) and reused from CACHE_DIR; never written into the project.
    """
    checkpoint, config_dir = CACHE_DIR / "bert-base-random.ckpt", CACHE_DIR / "config"
    if checkpoint.is_file() and (config_dir / "config.json").is_file():
        return checkpoint, config_dir
    import torch
    import transformers

    building = Path(tempfile.mkdtemp(prefix="circles-bench-bert-"))
    try:
        config_folder = building / "config"
        config_folder.mkdir()
        vocab = config_folder / "vocab.txt"
        vocab.write_text("\n".join(build_vocab(corpus)) + "\n")
        _tokenizer(transformers, vocab).save_pretrained(config_folder)
        config = transformers.BertConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=HIDDEN,
            num_hidden_layers=LAYERS,
            num_attention_heads=HEADS,
            intermediate_size=INTERMEDIATE,
            max_position_embeddings=MAX_POSITIONS,
        )
        config.num_labels = len(CLASSES)
        config.save_pretrained(config_folder)
        torch.manual_seed(seed)
        model = transformers.BertForSequenceClassification(config)
        # detoxify 0.5 resolves arch.args.model_type by name before it reads the config
        # folder, so the name is the final config folder's path: no hub lookup at all.
        payload = _checkpoint_dict(str(config_dir), model.state_dict())
        torch.save(payload, building / checkpoint.name)
        (building / "shape.json").write_text(json.dumps(config.to_diff_dict(), indent=2))
        CACHE_DIR.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
        building.rename(CACHE_DIR)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return checkpoint, config_dir


def _tokenizer(transformers: Any, vocab: Path) -> Any:
    # transformers 5 takes the vocabulary as `vocab` and silently ignores `vocab_file`
    # (every word would become [UNK]); transformers 4 takes `vocab_file`.
    parameters = inspect.signature(transformers.BertTokenizer.__init__).parameters
    key = "vocab_file" if "vocab_file" in parameters else "vocab"
    options = {key: str(vocab), "do_lower_case": True, "model_max_length": MAX_POSITIONS}
    return transformers.BertTokenizer(**options)


def _checkpoint_dict(model_type: str, state_dict: Any) -> dict[str, Any]:
    arch_args = {
        "model_type": model_type,
        "model_name": "BertForSequenceClassification",
        "tokenizer_name": "BertTokenizer",
        "num_classes": len(CLASSES),
    }
    return {
        "config": {"arch": {"args": arch_args}, "dataset": {"args": {"classes": CLASSES}}},
        "state_dict": state_dict,
    }
