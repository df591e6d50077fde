"""Create or update a student's workspace from the student release, never overwriting a file.

`make lab` runs this: the workspace (git-ignored, ``workspace/`` by default) holds the student's
own copies of the lessons. A lesson that is new in the release is added; a lesson the student
already has is kept as it is, and when the release has changed since that copy was made, the
tool says where the newer version is. Nothing in the workspace is ever replaced or deleted.

Usage: python tools/workspace.py --release build/student --workspace workspace
"""
import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

MANIFEST = ".release.json"      # release file -> hash of the release version each copy was made from
README = """# Your workspace

These are your copies of the course notebooks. They are yours: git ignores this folder, and
`make lab` never overwrites or deletes a file here. When a new lesson is released, `make lab`
adds it and tells you; when a lesson you already have is updated, your copy is kept and the
new version waits in `build/student/`.
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def update(release: Path, workspace: Path) -> dict:
    """Copy what is new; report what was added, kept unchanged, and kept although the release changed."""
    files = sorted(p for p in release.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not files:
        raise SystemExit(f"no notebooks in {release}; run `make student` first")
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path = workspace / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report = {"added": [], "kept": [], "newer_release": []}
    for source in files:
        relative = source.relative_to(release).as_posix()
        target = workspace / relative
        if target.exists():
            key = "newer_release" if manifest.get(relative, digest(source)) != digest(source) else "kept"
            report[key].append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        manifest[relative] = digest(source)
        report["added"].append(relative)
    readme = workspace / "README.md"
    if not readme.exists():
        readme.write_text(README)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, required=True, help="the student release (make student)")
    parser.add_argument("--workspace", type=Path, required=True, help="the student's own folder")
    args = parser.parse_args(argv)
    report = update(args.release, args.workspace)
    print(f"Your workspace is {args.workspace}/ (git ignores it; nothing in it is ever overwritten).")
    for relative in report["added"]:
        print(f"  added          {relative}")
    if report["kept"]:
        print(f"  kept as it is  {len(report['kept'])} notebook(s) you already had")
    for relative in report["newer_release"]:
        print(f"  kept yours     {relative}: a newer version is in {args.release / relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
