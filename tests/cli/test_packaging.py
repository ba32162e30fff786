"""The installable package carries every data file the services read (knowledge base, catalog, templates, migrations)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_holds_every_tracked_data_file_under_services(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next(tmp_path.glob("regalerts-*.whl"))
    packaged = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "services"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    data_files = [name for name in tracked if not name.endswith(".py")]
    assert data_files, "no data files found under services/"
    missing = [name for name in data_files if name not in packaged]
    assert not missing, f"not in the wheel: {missing}"
