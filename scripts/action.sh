#!/usr/bin/env bash
# The logic of the kbfresh GitHub Action (action.yml), kept out of the YAML so that it runs, and is
# tested, anywhere: tests/action_script.rs runs these commands in temporary folders.
#
#   scripts/action.sh COMMAND [ARG...]
#
#   version        kbfresh's version: $KB_VERSION, else the one in this checkout's Cargo.toml
#   target         the runner's Rust target triple (from RUNNER_OS and RUNNER_ARCH); empty if unknown
#   asset          the release asset's name: kbfresh-VERSION-TARGET.tar.gz (empty if no target)
#   cache-key      the installed binary's cache key: kbfresh-VERSION-OS-ARCH-SOURCE, SOURCE a hash of
#                  the sources the binary is built from (so `@main` does not restore an older build)
#   prepare        all of the above, the install folder and the release asset's URL, as step outputs
#   install        into $KB_DIR/bin: the release asset at $KB_URL, else `cargo install --locked` from
#                  this checkout
#   shallow-check  fails with what to do when the site is in a shallow clone and no history file is
#                  given
#   args           the arguments of `kbfresh check` for the inputs, one per line
#   run            runs `kbfresh check` with them, sets the outputs and writes the step summary;
#                  exits 0 whatever the check found (its exit code is the output `exit-code`)
#   summary CODE [JSON [MARKDOWN]]
#                  the step summary of a check that exited CODE, from its JSON and Markdown reports
#
# Inputs are environment variables (action.yml sets them from its inputs; empty is the default):
#   KB_ROOT (.)        site root                    KB_FORMAT        FORMAT or FORMAT=FILE entries
#   KB_ARGS            more arguments, shell-quoted KB_FAIL_ON       --fail-on list
#   KB_CHANGED_SINCE   --changed-since REV          KB_OFFLINE       true: --offline
#   KB_HISTORY         --history FILE               KB_SARIF         true: a SARIF report too
#   KB_SUMMARY (true)  write the step summary       KB_REPORTS       folder for the action's reports
#   KB_BIN (kbfresh)   the binary `run` runs        KB_DIR, KB_URL   for `install` (from `prepare`)
#   KB_SOURCE          kbfresh's source (default: the checkout this script is in)
#   KB_REPOSITORY      owner/name the release assets are under (default: from GITHUB_ACTION_PATH)
# KB_ARGS and KB_FORMAT are split into words as a shell would, with '...', "..." and \ quoting but no
# expansion of any kind; KB_FORMAT's entries may also be separated by commas.
# Step outputs go to $GITHUB_OUTPUT and the summary to $GITHUB_STEP_SUMMARY; without them, to stdout.
# Written for bash 3.2 too (macOS runners).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=${KB_SOURCE:-$(dirname "$here")}

die() {
  echo "error: $*" >&2
  exit 2
}

# Whether the input $1, valued $2, is true: true, false, or empty for the default $3; anything else
# is an error naming the input.
flag() {
  case ${2:-} in
  true | True | TRUE) return 0 ;;
  false | False | FALSE) return 1 ;;
  '') [ "$3" = true ] ;;
  *) die "$1 must be true or false, not \`$2\`" ;;
  esac
}

# A step output NAME=VALUE (the delimiter form when VALUE has a newline).
output() {
  if [ -z "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2"
  elif [[ $2 == *$'\n'* ]]; then
    local eof="KBFRESH_EOF_$RANDOM$RANDOM"
    printf '%s<<%s\n%s\n%s\n' "$1" "$eof" "$2" "$eof" >>"$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# Splits $1 into the array WORDS as a shell splits a command line: blanks separate words, '...' and
# "..." quote (in "...", \ escapes only \ " $ and `), \ escapes the next character outside quotes
# (\ and a newline join lines). Nothing is expanded: no variables, globs or commands.
split_words() {
  local s=$1 n=${#1} i=0 c word='' inword=0 quote=''
  WORDS=()
  while [ "$i" -lt "$n" ]; do
    c=${s:i:1}
    if [ "$quote" = "'" ]; then
      if [ "$c" = "'" ]; then quote=''; else word+=$c; fi
    elif [ "$quote" = '"' ]; then
      if [ "$c" = '"' ]; then
        quote=''
      elif [ "$c" = "\\" ] && [ $((i + 1)) -lt "$n" ] && [[ ${s:i+1:1} == [\\\"\$\`] ]]; then
        i=$((i + 1))
        word+=${s:i:1}
      else
        word+=$c
      fi
    else
      case $c in
      ' ' | $'\t' | $'\n' | $'\r')
        if [ "$inword" = 1 ]; then
          WORDS+=("$word")
          word=''
          inword=0
        fi
        ;;
      "'" | '"')
        quote=$c
        inword=1
        ;;
      "\\")
        i=$((i + 1))
        if [ "$i" -lt "$n" ] && [ "${s:i:1}" != $'\n' ]; then
          word+=${s:i:1}
          inword=1
        fi
        ;;
      *)
        word+=$c
        inword=1
        ;;
      esac
    fi
    i=$((i + 1))
  done
  if [ -n "$quote" ]; then
    die "unmatched $quote in \`$s\`"
  fi
  if [ "$inword" = 1 ]; then
    WORDS+=("$word")
  fi
}

version() {
  if [ -n "${KB_VERSION:-}" ]; then
    echo "$KB_VERSION"
    return
  fi
  local v
  v=$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$source_dir/Cargo.toml" 2>/dev/null | head -n 1)
  [ -n "$v" ] || die "no package version in $source_dir/Cargo.toml (set KB_VERSION)"
  echo "$v"
}

# The runner's OS and architecture as GitHub names them (RUNNER_OS, RUNNER_ARCH), else from uname.
runner_os() {
  if [ -n "${RUNNER_OS:-}" ]; then
    echo "$RUNNER_OS"
    return
  fi
  case $(uname -s) in
  Linux) echo Linux ;;
  Darwin) echo macOS ;;
  MINGW* | MSYS* | CYGWIN*) echo Windows ;;
  *) uname -s ;;
  esac
}

runner_arch() {
  if [ -n "${RUNNER_ARCH:-}" ]; then
    echo "$RUNNER_ARCH"
    return
  fi
  case $(uname -m) in
  x86_64 | amd64) echo X64 ;;
  aarch64 | arm64) echo ARM64 ;;
  *) uname -m ;;
  esac
}

target() {
  case "$(runner_os)/$(runner_arch)" in
  Linux/X64) echo x86_64-unknown-linux-gnu ;;
  Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
  macOS/X64) echo x86_64-apple-darwin ;;
  macOS/ARM64) echo aarch64-apple-darwin ;;
  Windows/X64) echo x86_64-pc-windows-msvc ;;
  Windows/ARM64) echo aarch64-pc-windows-msvc ;;
  *) echo '' ;;
  esac
}

asset() {
  local t
  t=$(target)
  if [ -n "$t" ]; then echo "kbfresh-$VERSION-$t.tar.gz"; else echo ''; fi
}

exe() {
  if [ "$(runner_os)" = Windows ]; then echo .exe; else echo ''; fi
}

# The first 12 hex digits of a SHA-256 over what the binary is built from (names and contents).
source_hash() {
  local sum=(sha256sum) paths=() p
  command -v sha256sum >/dev/null 2>&1 || sum=(shasum -a 256)
  for p in Cargo.toml Cargo.lock src themes; do
    if [ -e "$source_dir/$p" ]; then paths+=("$p"); fi
  done
  [ ${#paths[@]} -gt 0 ] || die "no kbfresh sources in $source_dir"
  (cd "$source_dir" && find "${paths[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 "${sum[@]}" | "${sum[@]}") | cut -c1-12
}

# Sets KEY. (Called as a command, not in $(...), so that a failure stops the script.)
cache_key() {
  local hash
  hash=$(source_hash)
  KEY="kbfresh-$VERSION-$(runner_os)-$(runner_arch)-$hash"
}

# owner/name of the action: $KB_REPOSITORY, else from GITHUB_ACTION_PATH, which is
# .../_actions/OWNER/NAME/REF for an action used from another repository (empty for `uses: ./`).
repository() {
  if [ -n "${KB_REPOSITORY:-}" ]; then
    echo "$KB_REPOSITORY"
    return
  fi
  local p=${GITHUB_ACTION_PATH:-} owner rest
  p=${p//\\//}
  case $p in
  */_actions/*/*)
    rest=${p##*/_actions/}
    owner=${rest%%/*}
    rest=${rest#*/}
    echo "$owner/${rest%%/*}"
    ;;
  *) echo '' ;;
  esac
}

release_url() {
  local repo a
  repo=$(repository)
  a=$(asset)
  if [ -n "$repo" ] && [ -n "$a" ]; then
    echo "${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/v$VERSION/$a"
  else
    echo ''
  fi
}

cmd_prepare() {
  local dir
  cache_key
  dir=${KB_DIR:-${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/kbfresh/$KEY}
  output version "$VERSION"
  output target "$(target)"
  output asset "$(asset)"
  output cache-key "$KEY"
  output dir "$dir"
  output bin "$dir/bin/kbfresh$(exe)"
  output url "$(release_url)"
}

# Unpacks the release asset at $1 into the folder $2; fails (quietly) when there is none.
download() {
  local tmp found
  tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kbfresh-download.XXXXXX")
  if ! curl --fail --silent --location --retry 3 --output "$tmp/asset.tar.gz" "$1"; then
    echo "No release binary at $1."
    rm -rf "$tmp"
    return 1
  fi
  mkdir "$tmp/x"
  if ! tar -xzf "$tmp/asset.tar.gz" -C "$tmp/x"; then
    echo "::warning title=kbfresh::$1 is not a .tar.gz archive; building kbfresh from source instead"
    rm -rf "$tmp"
    return 1
  fi
  found=$(find "$tmp/x" -type f -name "kbfresh$(exe)" | head -n 1)
  if [ -z "$found" ]; then
    echo "::warning title=kbfresh::$1 holds no kbfresh$(exe); building kbfresh from source instead"
    rm -rf "$tmp"
    return 1
  fi
  cp "$found" "$2/kbfresh$(exe)"
  chmod +x "$2/kbfresh$(exe)"
  rm -rf "$tmp"
  echo "Installed kbfresh from $1"
}

cmd_install() {
  local dir=${KB_DIR:?KB_DIR: the install folder} bin
  bin="$dir/bin/kbfresh$(exe)"
  if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    echo "kbfresh is already installed in $dir"
  else
    mkdir -p "$dir/bin"
    if [ -z "${KB_URL:-}" ] || ! download "$KB_URL" "$dir/bin"; then
      echo "Building kbfresh $VERSION from $source_dir with cargo: this takes minutes once, the cache keeps it for later runs."
      command -v cargo >/dev/null 2>&1 || die "no release binary and no cargo to build kbfresh with (install Rust first, e.g. with rustup)"
      cargo install --locked --path "$source_dir" --root "$dir" --target-dir "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kbfresh-build"
    fi
  fi
  "$bin" --version
}

# Whether the extra arguments give a history file themselves.
args_give_history() {
  local w
  split_words "${KB_ARGS:-}"
  for w in ${WORDS[@]+"${WORDS[@]}"}; do
    case $w in --history | --history=*) return 0 ;; esac
  done
  return 1
}

cmd_shallow_check() {
  local root=${KB_ROOT:-.} shallow
  if [ -n "${KB_HISTORY:-}" ] || args_give_history; then
    return 0
  fi
  # Outside git kbfresh goes by front-matter dates, and says so itself.
  shallow=$(git -C "$root" rev-parse --is-shallow-repository 2>/dev/null) || return 0
  [ "$shallow" = true ] || return 0
  if grep -Eq '^[[:space:]]*allow_shallow[[:space:]]*=[[:space:]]*true([[:space:]#]|$)' "$root/kbfresh.toml" 2>/dev/null; then
    echo "The site is in a shallow clone; [freshness] allow_shallow = true makes that a warning."
    return 0
  fi
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::error title=kbfresh: shallow clone::The site at $root is in a shallow clone, so git cannot say when its articles changed. Check out with fetch-depth: 0 (actions/checkout), or give the action a history file (input history)."
  fi
  cat >&2 <<EOF
error: the site at \`$root\` is in a shallow clone: kbfresh reads when each article changed from the
whole git history, and a shallow clone has only its last commits.
help: check out the whole history in the step before this one:

    - uses: actions/checkout@v5
      with:
        fetch-depth: 0

  or give the action a history file (input \`history: FILE\`) that \`kbfresh history export FILE\`
  wrote where the history is whole, or set \`allow_shallow = true\` under [freshness] in
  kbfresh.toml to check with front-matter dates only.
EOF
  exit 1
}

# Fills ARGS with the arguments of `kbfresh check` for the inputs, the action's own reports in the
# folder $1, and sets JSON_REPORT, MARKDOWN_REPORT and FILE_REPORTS ("FORMAT=FILE" entries).
build_args() {
  local reports=$1 root=${KB_ROOT:-.} entry rest part name file sarif_file='' list=''
  ARGS=(check --root "$root")
  JSON_REPORT=''
  MARKDOWN_REPORT=''
  FILE_REPORTS=()
  if [ -n "${KB_HISTORY:-}" ]; then ARGS+=(--history "$KB_HISTORY"); fi
  if [ -n "${KB_FAIL_ON:-}" ]; then
    # "stale, broken-links" and "stale broken-links" are stale,broken-links
    split_words "${KB_FAIL_ON//,/ }"
    for part in ${WORDS[@]+"${WORDS[@]}"}; do list+=${list:+,}$part; done
    ARGS+=(--fail-on "$list")
  fi
  if [ -n "${KB_CHANGED_SINCE:-}" ]; then ARGS+=(--changed-since "$KB_CHANGED_SINCE"); fi
  if flag offline "${KB_OFFLINE:-}" false; then ARGS+=(--offline); fi
  split_words "${KB_ARGS:-}"
  ARGS+=(${WORDS[@]+"${WORDS[@]}"})

  split_words "${KB_FORMAT:-}"
  for entry in ${WORDS[@]+"${WORDS[@]}"}; do
    rest=$entry,
    while [ -n "$rest" ]; do
      part=${rest%%,*}
      rest=${rest#*,}
      [ -n "$part" ] || continue
      name=${part%%=*}
      [[ $name =~ ^[a-z][a-z-]*$ ]] || die "format: \`$part\` is not FORMAT or FORMAT=FILE"
      ARGS+=(--format "$name")
      if [ "$name" != "$part" ]; then
        file=${part#*=}
        [ -n "$file" ] || die "format: \`$part\` names no file"
        ARGS+=(--output "$file")
        FILE_REPORTS+=("$name=$file")
        if [ "$name" = json ] && [ -z "$JSON_REPORT" ]; then JSON_REPORT=$file; fi
        if [ "$name" = markdown ] && [ -z "$MARKDOWN_REPORT" ]; then MARKDOWN_REPORT=$file; fi
        if [ "$name" = sarif ] && [ -z "$sarif_file" ]; then sarif_file=$file; fi
      fi
    done
  done

  if flag sarif "${KB_SARIF:-}" false && [ -z "$sarif_file" ]; then
    ARGS+=(--format sarif --output "$reports/kbfresh.sarif")
    FILE_REPORTS+=("sarif=$reports/kbfresh.sarif")
  fi
  if [ -z "$JSON_REPORT" ]; then
    JSON_REPORT=$reports/kbfresh.json
    ARGS+=(--format json --output "$JSON_REPORT")
    FILE_REPORTS+=("json=$JSON_REPORT")
  fi
  if flag summary "${KB_SUMMARY:-}" true && [ -z "$MARKDOWN_REPORT" ]; then
    MARKDOWN_REPORT=$reports/kbfresh.md
    ARGS+=(--format markdown --output "$MARKDOWN_REPORT")
    FILE_REPORTS+=("markdown=$MARKDOWN_REPORT")
  fi
}

default_reports() {
  echo "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kbfresh-reports"
}

cmd_args() {
  build_args "${KB_REPORTS:-$(default_reports)}"
  printf '%s\n' "${ARGS[@]}"
}

# The number under KEY in the summary of the JSON report $1 (empty without one). The keys of the
# summary (articles, fresh, links_broken...) are the report's only keys with a number for value.
count() {
  [ -f "$1" ] || return 0
  { grep -o "\"$2\": *[0-9][0-9]*" "$1" || true; } | tail -n 1 | sed 's/.*: *//'
}

cmd_summary() {
  [ -n "${1:-}" ] || die "usage: $0 summary CODE [JSON [MARKDOWN]]"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    summary_text "$@" >>"$GITHUB_STEP_SUMMARY"
  else
    summary_text "$@"
  fi
}

summary_text() {
  local code=$1 json=${2:-} md=${3:-} root=${KB_ROOT:-.} where=''
  if [ "$root" != . ]; then where=" (\`$root\`)"; fi
  case $code in
  0) echo "## kbfresh check$where: passed" ;;
  1) echo "## kbfresh check$where: failed" ;;
  *)
    echo "## kbfresh check$where: could not run (exit $code)"
    echo
    echo "The error is in this step's log."
    ;;
  esac
  echo
  if [ -n "$json" ] && [ -n "$(count "$json" articles)" ]; then
    echo '| Articles | Fresh | Expiring | Stale | Unknown | Links checked | Broken links |'
    echo '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
    echo "| $(count "$json" articles) | $(count "$json" fresh) | $(count "$json" expiring) | $(count "$json" stale) | $(count "$json" unknown) | $(count "$json" links_checked) | $(count "$json" links_broken) |"
    echo
  fi
  if [ -n "$md" ] && [ -s "$md" ]; then
    # The report without its own heading: this one replaces it.
    awk 'NR == 1 && /^## kbfresh check/ { next } !body && /^[[:space:]]*$/ { next } { body = 1; print }' "$md"
    echo
  fi
}

cmd_run() {
  local reports=${KB_REPORTS:-} bin=${KB_BIN:-kbfresh} code=0 entry prefix key
  if [ -n "$reports" ]; then
    mkdir -p "$reports"
  else
    mkdir -p "$(dirname "$(default_reports)")"
    reports=$(mktemp -d "$(default_reports).XXXXXX")
  fi
  build_args "$reports"
  case " ${ARGS[*]} " in
  *" --format github "* | *" --format sarif "*)
    prefix=$(git -C "${KB_ROOT:-.}" rev-parse --show-prefix 2>/dev/null || true)
    if [ -n "$prefix" ]; then
      echo "::warning title=kbfresh::Annotation and SARIF paths are relative to the site root (${KB_ROOT:-.}), not to the repository ($prefix is missing from them), so GitHub cannot place them on the files' lines."
    fi
    ;;
  esac
  printf 'Running:'
  printf ' %q' "$bin" "${ARGS[@]}"
  printf '\n'
  # The action writes the step summary itself (below); kbfresh's own, for --format github, is off.
  GITHUB_STEP_SUMMARY='' "$bin" "${ARGS[@]}" || code=$?
  if [ "$code" != 0 ] && [ "$code" != 1 ]; then
    # The check did not run: whatever report files there are, are not of this run.
    JSON_REPORT=''
    MARKDOWN_REPORT=''
  fi
  output exit-code "$code"
  for entry in ${FILE_REPORTS[@]+"${FILE_REPORTS[@]}"}; do
    output "report-${entry%%=*}" "${entry#*=}"
  done
  for key in articles fresh expiring stale unknown links_checked links_broken; do
    output "${key//_/-}" "$(count "$JSON_REPORT" "$key")"
  done
  if flag summary "${KB_SUMMARY:-}" true; then
    cmd_summary "$code" "$JSON_REPORT" "$MARKDOWN_REPORT"
  fi
}

command=${1:-}
if [ $# -gt 0 ]; then shift; fi
case $command in
version | asset | cache-key | prepare | install) VERSION=$(version) ;;
esac
case $command in
version) echo "$VERSION" ;;
target) target ;;
asset) asset ;;
cache-key)
  cache_key
  echo "$KEY"
  ;;
prepare) cmd_prepare ;;
install) cmd_install ;;
shallow-check) cmd_shallow_check ;;
args) cmd_args ;;
run) cmd_run ;;
summary) cmd_summary "$@" ;;
*) die "usage: $0 version|target|asset|cache-key|prepare|install|shallow-check|args|run|summary CODE [JSON [MARKDOWN]]" ;;
esac
