"""Store write-path benchmark: what the integrity checks cost, side by side in one run.

    .venv/bin/python bench/store_writes.py [--meetings 200] [--versions 5]

Builds a store of N meetings × V versions (the bundled test protocol) in a temporary folder, then
prints, for that size: the database size, ``PRAGMA quick_check`` (run once per Store before its first
write), a plain version write (``add_version``: version file, history line, both fsync'd, row), and
``rebuild-index`` from the folders — and the ratio of the first write (with the check) to a later one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--versions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["SUMMARIZER_HOME"] = home
        from meeting_factory import make_protocol

        from summarizer.config import load_settings
        from summarizer.store.database import Store
        from summarizer.store.rebuild import rebuild_index

        settings = load_settings()
        protocol = make_protocol()
        with Store(settings) as store:
            ids = []
            for i in range(args.meetings):
                m = store.create_meeting(title=f"Meeting {i}", client=f"Client {i}", protocol=protocol)
                ids.append(m.id)
                for _ in range(args.versions - 1):
                    store.add_version(m.id, protocol, source="edited", author="bench")
        size = settings.database_path.stat().st_size
        timings = []
        for _ in range(5):
            with Store(settings) as store:
                t = time.perf_counter()
                store.check_writable()
                timings.append(time.perf_counter() - t)
        check = statistics.median(timings)
        writes = []
        with Store(settings) as store:
            store.check_writable()
            for mid in ids[:20]:
                t = time.perf_counter()
                store.add_version(mid, protocol, source="edited", author="bench")
                writes.append(time.perf_counter() - t)
        write = statistics.median(writes)
        t = time.perf_counter()
        report = rebuild_index(settings, force=True)
        rebuild = time.perf_counter() - t
        print(f"store: {args.meetings} meetings x {args.versions} versions, database {size / 2**20:.1f} MB")
        print(f"quick_check + checks before the first write   {check * 1000:8.1f} ms")
        print(f"add_version (files + history + row, fsync'd) {write * 1000:8.1f} ms (median of 20)")
        print(f"first write / later write                     {(check + write) / write:8.2f}x")
        print(f"rebuild-index from the folders                {rebuild:8.2f} s "
              f"({len(report.meetings)} meetings)")


if __name__ == "__main__":
    main()
