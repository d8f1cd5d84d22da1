"""A sweep's directory: one Parquet file per finished chunk, written atomically, and a manifest.

``chunks/chunk-000012.parquet`` holds the samples of chunk 12.  A file is
written to a temporary name and renamed, so a crash leaves either the whole
chunk or nothing.  Resuming runs the chunks with no file; the manifest must
match the one on disk (same experiment, design, seed, replicates, chunking).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from munisim.errors import MunisimError
from munisim.pids import pid_alive

__all__ = ["SweepStore", "ResumeMismatchError"]


class ResumeMismatchError(MunisimError):
    """The directory holds a different sweep than the one asked for."""


class SweepStore:
    """Chunk files and manifest of one sweep directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.chunks = self.root / "chunks"

    def chunk_path(self, k: int) -> Path:
        return self.chunks / f"chunk-{k:06d}.parquet"

    def done(self) -> set[int]:
        """Chunk numbers already on disk."""
        if not self.chunks.is_dir():
            return set()
        return {int(p.stem.split("-")[1]) for p in self.chunks.glob("chunk-*.parquet")}

    def write_chunk(self, k: int, frame: pd.DataFrame) -> None:
        self.chunks.mkdir(parents=True, exist_ok=True)
        tmp = self.chunks / f".chunk-{k:06d}.{os.getpid()}.tmp"
        frame.to_parquet(tmp)
        os.replace(tmp, self.chunk_path(k))

    def read_chunk(self, k: int) -> pd.DataFrame:
        return pd.read_parquet(self.chunk_path(k))

    def read_all(self, n_chunks: int) -> pd.DataFrame:
        return pd.concat([self.read_chunk(k) for k in range(n_chunks)]).sort_index()

    def prepare(self, identity: dict[str, Any], *, resume: bool, force: bool = False) -> None:
        """Start a new sweep here, or check that ``identity`` matches the one being resumed."""
        manifest = self.root / "sweep.json"
        if resume:
            if not manifest.is_file():
                return self._start(identity)
            old = json.loads(manifest.read_text())
            if old.get("identity") != json.loads(json.dumps(identity, default=str)):
                raise ResumeMismatchError(
                    f"{self.root}: holds a different sweep (experiment, design, seed, replicates "
                    "or chunking changed); use another --out or run without --resume"
                )
            self._remove_stale_temporaries()
            return None
        if self.root.exists() and any(self.root.iterdir()) and not force:
            if not manifest.is_file():
                raise MunisimError(f"{self.root}: exists and is not a sweep directory; choose another --out")
            for p in self.chunks.glob("*"):
                p.unlink()
        return self._start(identity)

    def _remove_stale_temporaries(self) -> None:
        """Remove ``.chunk-K.PID.tmp`` files of writers that were killed (they no longer run)."""
        for p in self.chunks.glob(".chunk-*.tmp"):
            pid = p.name.split(".")[2]
            if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
                p.unlink(missing_ok=True)

    def _start(self, identity: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / ".sweep.json.tmp"
        tmp.write_text(json.dumps({"identity": identity}, indent=2, default=str))
        os.replace(tmp, self.root / "sweep.json")
