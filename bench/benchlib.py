"""What every benchmark needs: a release build of its own and a Host (namespace, private bus,
hostnetd) from the integration test harness."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]


def ensure_build(build_dir):
    if not (build_dir / "build.ninja").exists():
        subprocess.run(["meson", "setup", str(build_dir), "--buildtype=release", "-Dtests=false"], cwd=SOURCE,
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["meson", "compile", "-C", str(build_dir)], check=True, stdout=subprocess.DEVNULL)


def parse_args(description, count, extra=None):
    """--count and --build-dir (and what extra(parser) adds); builds, and points the harness at the
    build."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=count)
    if extra:
        extra(parser)
    parser.add_argument("--build-dir", default=str(SOURCE / "build-bench"))
    args = parser.parse_args()
    args.build_dir = Path(args.build_dir).resolve()
    ensure_build(args.build_dir)
    os.environ["HOSTNET_BUILD_DIR"] = str(args.build_dir)
    sys.path.insert(0, str(SOURCE / "tests" / "integration"))
    return args
