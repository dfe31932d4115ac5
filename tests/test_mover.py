"""The move itself: never overwrite, never leave two copies, across file systems too, and what
recovery decides from the disk. Real files; two faults that no test can time for real (a write
racing the copy, a refused unlink) are injected."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from unittest import mock

import pytest

from km_core.organize import mover
from km_core.reconcile import file_hash

SHM = Path("/dev/shm")


def noop(_: os.stat_result) -> None:
    return None


@pytest.fixture
def other_fs(tmp_path: Path):
    """A folder on another file system than tmp_path, if this machine has one."""
    if not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system (/dev/shm) to move across")
    folder = Path(os.path.join(SHM, f"km-test-{os.getpid()}-{tmp_path.name}"))
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_move_within_one_file_system_never_overwrites(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.txt", tmp_path / "lib" / "a.txt"
    src.write_text("mine")
    assert mover.move_file(str(src), str(dst), "m1", noop) == "link"
    assert dst.read_text() == "mine" and not src.exists()
    src.write_text("another")
    with pytest.raises(mover.Taken):
        mover.move_file(str(src), str(dst), "m2", noop)
    assert dst.read_text() == "mine" and src.read_text() == "another"


def test_only_regular_files_are_moved(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "folder")
    for name in ("folder", "link"):
        with pytest.raises(OSError, match="regular file"):
            mover.move_file(str(tmp_path / name), str(tmp_path / "lib" / name), "m", noop)
    assert (tmp_path / "folder").is_dir() and not (tmp_path / "lib" / "folder").exists()


def test_a_move_across_file_systems_copies_checks_and_removes(tmp_path: Path, other_fs: Path) -> None:
    src, dst = tmp_path / "a.pdf", other_fs / "Library" / "a.pdf"
    src.write_bytes(os.urandom(300_000))
    digest = file_hash(str(src))
    placed: list[os.stat_result] = []
    assert mover.move_file(str(src), str(dst), "m1", placed.append) == "copy"
    assert not src.exists() and file_hash(str(dst)) == digest
    assert placed and placed[0].st_ino == os.stat(dst).st_ino
    assert not [p for p in dst.parent.iterdir() if p.name.startswith(mover.PARTIAL)]


def test_a_source_written_during_the_copy_stays(tmp_path: Path, other_fs: Path) -> None:
    src, dst = tmp_path / "notes.txt", other_fs / "notes.txt"
    src.write_text("line 1\n")
    real_copy = shutil.copyfile

    def copy_then_write(a: str, b: str, **kw: object) -> object:
        result = real_copy(a, b, **kw)  # type: ignore[arg-type]
        with open(a, "a") as handle:
            handle.write("line 2, written while km copied\n")
        return result

    with mock.patch.object(mover.shutil, "copyfile", copy_then_write), pytest.raises(OSError, match="changed"):
        mover.move_file(str(src), str(dst), "m1", noop)
    assert src.read_text().count("\n") == 2 and not dst.exists()


def test_when_the_source_cannot_be_removed_the_new_name_goes(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.txt", tmp_path / "lib" / "a.txt"
    src.write_text("data")
    real_unlink = os.unlink

    def refuse(path: str, *a: object, **kw: object) -> None:
        if str(path) == str(src):
            raise PermissionError(errno.EACCES, "read-only folder")
        real_unlink(path, *a, **kw)  # type: ignore[arg-type]

    with mock.patch("os.unlink", refuse), pytest.raises(PermissionError):
        mover.move_file(str(src), str(dst), "m1", noop)
    assert src.read_text() == "data" and not dst.exists()  # one file, where it was


def test_recovery_decides_from_the_disk(tmp_path: Path) -> None:
    def intent(src: Path, dst: Path) -> dict[str, object]:
        return {"id": "r-1", "old_path": str(src), "new_path": str(dst), "mount": str(tmp_path)}

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("same")
    b.write_text("same")  # an identical file of someone else's: never a reason to remove a
    assert mover.settle(intent(a, b), None) == "not_moved" and a.exists()
    os.unlink(b)
    os.link(a, b)  # killed between link and unlink: finish the move
    assert mover.settle(intent(a, b), None) == "moved" and not a.exists() and b.exists()
    assert mover.settle(intent(a, b), None) == "moved"  # only the destination: done
    b.rename(a)
    assert mover.settle(intent(a, b), None) == "not_moved" and a.exists()  # never happened
    away = intent(a, tmp_path / "unmounted" / "x" / "a.txt") | {"mount": str(tmp_path / "unmounted")}
    assert mover.settle(away, None) == "unknown"  # the journal waits for the drive


def test_recovery_across_file_systems_trusts_only_the_recorded_copy(tmp_path: Path, other_fs: Path) -> None:
    src, dst = tmp_path / "a.txt", other_fs / "a.txt"
    src.write_text("same")
    shutil.copy(src, dst)  # equal content, but not km's copy
    base = {"id": "r-2", "old_path": str(src), "new_path": str(dst), "mount": str(other_fs)}
    assert mover.settle(base, None) == "not_moved" and src.exists()
    info = os.stat(dst)
    assert mover.settle(base, (info.st_dev, info.st_ino)) == "moved" and not src.exists()
