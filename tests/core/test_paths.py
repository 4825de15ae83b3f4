"""Where the app keeps its data, and that it stays the user's alone (POSIX modes)."""

from __future__ import annotations

import os
import stat

import pytest

from influx_desktop.paths import DATA_DIR_ENV, create_private_file, default_data_dir, make_private_dir, restrict_to_owner


def test_the_environment_chooses_the_data_dir_else_the_platform_does(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "chosen"))
    assert default_data_dir() == tmp_path / "chosen"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert default_data_dir().name == "influx-desktop"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_folders_and_files_are_private_and_existing_ones_lose_group_and_other_bits(tmp_path):
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    made = make_private_dir(tmp_path / "a" / "b")
    assert mode(made) == 0o700
    create_private_file(made / "db")
    assert mode(made / "db") == 0o600

    shared = tmp_path / "shared.txt"
    shared.write_text("x")
    os.chmod(shared, 0o664)
    create_private_file(shared)  # exists: only restricted, never truncated
    assert mode(shared) == 0o600 and shared.read_text() == "x"

    read_only = tmp_path / "read-only"
    read_only.mkdir()
    os.chmod(read_only, 0o555)
    restrict_to_owner(read_only)  # never adds a bit
    assert mode(read_only) == 0o500
    restrict_to_owner(tmp_path / "missing")  # quietly nothing
