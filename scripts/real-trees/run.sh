#!/usr/bin/env bash
# Real-trees harness: builds the public docs trees of scripts/real-trees/trees.txt with kbfresh
# and reports, per tree, build and check exit codes, warnings by kind, foreign syntax left in the
# visible text, code-fidelity violations, broken internal links and the cold build time.
#
#   scripts/real-trees/run.sh TREES_DIR [OUT_DIR] [harness options...]
#
# TREES_DIR holds clones named owner+name (git clone https://github.com/owner/name TREES_DIR/owner+name);
# trees that are missing are reported as skipped. OUT_DIR (default target/real-trees) gets
# results.json, table.md (the table and per-tree details), logs/, check/ and the built sites in site/.
# KBFRESH names the binary (default: target/release/kbfresh, else kbfresh on PATH).
# Options after OUT_DIR go to harness.py: --only NAME, --tool TOOL, --max-diffs N, --doc FILE
# (e.g. --doc docs/adoption.md rewrites the table between its real-trees markers).
# Not run in CI: CI has no clones. Needs git, python3 (3.11+) and /usr/bin/time (optional).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
trees_dir="$1"; shift
out_dir="${1:-$repo/target/real-trees}"; [ $# -gt 0 ] && shift
if [ -z "${KBFRESH:-}" ]; then
  if [ -x "$repo/target/release/kbfresh" ]; then KBFRESH="$repo/target/release/kbfresh"; else KBFRESH="$(command -v kbfresh || true)"; fi
fi
[ -n "$KBFRESH" ] && [ -x "$KBFRESH" ] || { echo "error: no kbfresh binary (set KBFRESH)" >&2; exit 2; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: python 3.11 or newer is needed" >&2; exit 2; }
exec python3 "$here/harness.py" "$trees_dir" "$out_dir" --kbfresh "$KBFRESH" "$@"
