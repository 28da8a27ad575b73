#!/usr/bin/env bash
# The whole-process performance suite: generated help centres with real git history, kbfresh's
# commands timed with /usr/bin/time, and Hugo (when installed) building the same corpus in the same
# run for a ratio.
#
#   benches/suite.sh                 # 1,000 and 10,000 articles
#   benches/suite.sh 1000 10000 100000
#   HUGO_MAX=10000 benches/suite.sh 10000 100000   # Hugo only up to 10,000; prints 100k/10k
#
# Corpora are generated once into target/perf/ (deterministic from the seed) and reused. Figures go
# to stdout and target/perf/report.md. Run it on a quiet machine: it measures wall time.
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
out=target/perf
mkdir -p "$out"
report="$out/report.md"
now=2026-11-22

cargo build --release --bins --examples --quiet
bin=target/release/kbfresh

# Runs a command under /usr/bin/time; prints "wall user sys maxrss_kib". Exit 1 (check's "found
# something") is a normal outcome; 2 and above fail the suite.
measure() {
  local log rc=0
  log=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" >/dev/null 2>"$log.err" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "failed ($rc): $*" >&2
    tail -5 "$log.err" >&2
    rm -f "$log" "$log.err"
    return 1
  fi
  tail -1 "$log"
  rm -f "$log" "$log.err"
}

# "wall user sys rss" -> a table row fragment.
row() {
  read -r wall user sys rss <<<"$1"
  printf '%s s | %s s | %s s | %d MiB' "$wall" "$user" "$sys" $((rss / 1024))
}

# Moves a folder out of the way (deleted later): creating ten thousand folders right after deleting
# ten thousand makes ext4 search its inode tables for ones not recently freed, which put seconds of
# the previous run's system time on the next one, for kbfresh and Hugo alike.
trash=$out/trash
set_aside() {
  mkdir -p "$trash"
  local p
  for p in "$@"; do
    [ -e "$p" ] && mv "$p" "$trash/$(date +%s%N)"
  done
  return 0
}
empty_trash() { rm -rf "$trash"; }

# The run with the median wall time of those given ("wall user sys rss" each).
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
walls() { printf '%s\n' "$@" | cut -d' ' -f1 | sort -n | paste -sd' ' | sed 's/ / s, /g; s/$/ s/'; }
# Cold builds are repeated: one cold build varies by a second on this kind of machine.
COLD_RUNS=${COLD_RUNS:-3}
# Hugo builds sizes up to this many articles (at 100,000 its four builds take a quarter of an hour).
HUGO_MAX=${HUGO_MAX:-1000000}
declare -A cold_of

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

hugo_site() {
  local root=$1
  mkdir -p "$root/layouts/_default"
  cat >"$root/hugo.toml" <<'EOF'
baseURL = "https://help.example.com/"
title = "Bench"
enableGitInfo = true
contentDir = "content"
disableKinds = ["taxonomy", "term", "RSS"]
[markup.goldmark.renderer]
unsafe = true
EOF
  cat >"$root/layouts/_default/single.html" <<'EOF'
<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav>{{ range .CurrentSection.Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav><p>Last modified {{ .Lastmod.Format "2006-01-02" }}</p>{{ .Content }}</body></html>
EOF
  cat >"$root/layouts/_default/list.html" <<'EOF'
<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Lastmod.Format "2006-01-02" }}</li>{{ end }}</ul></body></html>
EOF
}

{
  echo "# kbfresh performance suite"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(rustc --version)"
  command -v hugo >/dev/null && echo "Hugo: $(hugo version | cut -d' ' -f2)" || echo "Hugo: not installed (apt-get install hugo)"
  echo
} | tee "$report"

for n in "${sizes[@]}"; do
  corpus="$out/kb-$n"
  if [ ! -d "$corpus/.git" ]; then
    rm -rf "$corpus"
    target/release/examples/gen_corpus "$corpus" "$n" $((n * 3)) 60 $((n < 4000 ? 10 : n / 250)) 1 >&2
  fi
  git -C "$corpus" checkout -q -- . 2>/dev/null || true

  runs=()
  for _ in $(seq "$COLD_RUNS"); do
    set_aside "$corpus/.kbfresh-cache" "$corpus/public"
    sync
    runs+=("$(measure "$bin" build --root "$corpus" --now "$now")")
  done
  cold=$(median "${runs[@]}")
  cold_walls=$(walls "${runs[@]}")
  warm=$(measure "$bin" build --root "$corpus" --now "$now")
  stages=$("$bin" build --root "$corpus" --now "$now" --verbose 2>&1 | grep -o 'stages: .*' || true)
  check=$(measure "$bin" check --root "$corpus" --now "$now" --offline --format json)
  size=$(du -sb "$corpus/public" | cut -f1)
  pages=$(find "$corpus/public" -name '*.html' | wc -l)

  {
    echo "## $n articles ($(git -C "$corpus" rev-list --count HEAD) commits, $(git -C "$corpus" tag | wc -l) tags)"
    echo
    echo "| run | wall | user | sys | peak memory |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| kbfresh build, cold (no cache, no output; median of $COLD_RUNS: $cold_walls) | $(row "$cold") |"
    echo "| kbfresh build, warm (cache at HEAD, output unchanged) | $(row "$warm") |"
    echo "| kbfresh check --offline, warm | $(row "$check") |"
  } | tee -a "$report"

  cold_of[$n]=${cold%% *}
  if command -v hugo >/dev/null && [ "$n" -le "$HUGO_MAX" ]; then
    hugo_site "$corpus"
    runs=()
    for _ in $(seq "$COLD_RUNS"); do
      set_aside "$out/hugo-$n" "$corpus/resources"
      sync
      runs+=("$(measure hugo --quiet --source "$corpus" --destination "$(pwd)/$out/hugo-$n")")
    done
    hcold=$(median "${runs[@]}")
    hcold_walls=$(walls "${runs[@]}")
    hwarm=$(measure hugo --quiet --source "$corpus" --destination "$(pwd)/$out/hugo-$n")
    rm -rf "$corpus/hugo.toml" "$corpus/layouts" "$corpus/resources" "$corpus/.hugo_build.lock"
    {
      echo "| hugo, cold (enableGitInfo, minimal layout; median of $COLD_RUNS: $hcold_walls) | $(row "$hcold") |"
      echo "| hugo, warm (output present) | $(row "$hwarm") |"
      echo
      echo "kbfresh/Hugo wall time: cold $(ratio "${cold%% *}" "${hcold%% *}"), warm $(ratio "${warm%% *}" "${hwarm%% *}"); peak memory: $(ratio "${cold##* }" "${hcold##* }")."
    } | tee -a "$report"
  fi
  {
    echo
    echo "Output: $pages pages, $((size / 1048576)) MiB. Warm build ${stages:-stages: (not printed)}."
    echo
  } | tee -a "$report"

  if [ "$n" -le 10000 ]; then
    git -C "$corpus" checkout -q -- .
    target/release/examples/serve_bench "$corpus" 20 | grep -E 'saves:|serving after' | sed 's/^/serve: /' | tee -a "$report"
    git -C "$corpus" checkout -q -- .
    echo | tee -a "$report"
  fi
done

# The scaling target: each size's cold build against the smallest one's, from this run.
if [ ${#sizes[@]} -gt 1 ]; then
  base=${sizes[0]}
  {
    for n in "${sizes[@]:1}"; do
      echo "Cold build, $n against $base articles: $(ratio "${cold_of[$n]}" "${cold_of[$base]}")x the time for $((n / base))x the articles."
    done
    echo
  } | tee -a "$report"
fi

echo "Report: $report" >&2
# On ext4 without a journal, a file or folder created within five minutes of many deletions makes the
# kernel skip every recently deleted inode (recently_deleted() in fs/ext4/ialloc.c), one by one: a
# cold build after this deletion took twice the system time. Wait five minutes before the next run.
empty_trash
echo "Deleted the old outputs: wait five minutes before running the suite again (see docs/performance.md)." >&2
