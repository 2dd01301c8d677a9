"""`circles models train-attacks`, run for real: it rebuilds the model or says why not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from moderation.attack_model import AttackModel
from moderation.attack_train import EXTRA_FILE, FORUM_FILE
from tests.moderation.test_attack_model import _small_set, _write

CIRCLES = Path(sys.executable).parent / "circles"


def train_attacks(data_dir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [str(CIRCLES), "models", "train-attacks", "--data-dir", str(data_dir)]
    return subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, timeout=120
    )


def test_train_attacks_writes_a_model_that_loads(tmp_path: Path) -> None:
    _write(tmp_path / FORUM_FILE, [])
    _write(tmp_path / EXTRA_FILE, _small_set())
    done = train_attacks(tmp_path, tmp_path / "model.npz")
    assert done.returncode == 0, done.stderr
    assert "Saved the attack model" in done.stdout
    model = AttackModel.load(tmp_path / "model.npz")
    assert model.meta["sources"][EXTRA_FILE] == 32


def test_train_attacks_without_data_says_so_without_a_traceback(tmp_path: Path) -> None:
    done = train_attacks(tmp_path, tmp_path / "model.npz")
    assert done.returncode == 1
    assert done.stderr.startswith("circles models train-attacks:")
    assert FORUM_FILE in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "model.npz").exists()
