#!/usr/bin/env bash
# The `command` step of the mockbank GitHub Action (action.yml): `mockbank run` around the
# client's own test command, the Markdown grade appended to the job summary, and mockbank's
# exit status passed on. Runs the same outside GitHub:
#
#   MOCKBANK_INPUT_COMMAND='npm test' bash scripts/action-run.sh
#
# It reads only these environment variables (each action input `NAME` is passed as
# MOCKBANK_INPUT_<NAME upper-cased, `-` as `_`>; unset means the action's default):
#   MOCKBANK_INPUT_COMMAND                 required: the client's test command, one string run
#                                          by `bash --noprofile --norc -eo pipefail -c` (as a
#                                          `shell: bash` step runs it), under `mockbank run --`
#   MOCKBANK_INPUT_REPORTS                 report files, separated by spaces or newlines, format
#                                          by extension (.xml JUnit, .md, .json); each becomes
#                                          `--report FILE` (default: mockbank.xml mockbank.md;
#                                          set and empty: none)
#   MOCKBANK_INPUT_FAIL_ON_CHECK_FAILURES  true|false (default true): `--fail-on-check-failures`
#   MOCKBANK_INPUT_PROFILES                a folder of profile files: `--profiles DIR`
#   MOCKBANK_INPUT_ARGS                    more `mockbank run` arguments, split like shell words
#                                          (quotes group, nothing is expanded or run)
#   MOCKBANK_INPUT_SUMMARY                 true|false (default true): append the Markdown report
#                                          (the first .md report, or one made for it) to
#                                          $GITHUB_STEP_SUMMARY, when that is set
#   MOCKBANK_INPUT_WORKING_DIRECTORY       where to run (default: the current folder); report
#                                          paths are relative to it
#   MOCKBANK_BIN                           the mockbank program (default: `mockbank` on PATH)
#   GITHUB_STEP_SUMMARY                    set by GitHub Actions; optional
#
# Exit status: mockbank's (COMMAND's status, 1 for failed checks with
# --fail-on-check-failures, 2 when mockbank itself failed); 2 for a wrong input. The summary
# is appended whatever the status.
set -euo pipefail

say() { printf 'mockbank-action: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 2
}

# true or false from an input; $2 when empty.
flag() { # NAME VALUE DEFAULT
  local value=${2:-$3}
  case "$value" in
    true | True | TRUE | yes | 1) echo true ;;
    false | False | FALSE | no | 0) echo false ;;
    *) die "$1 must be true or false, not \`$value\`" ;;
  esac
}

command=${MOCKBANK_INPUT_COMMAND:-}
reports=${MOCKBANK_INPUT_REPORTS-mockbank.xml mockbank.md}
fail_on_checks=$(flag fail-on-check-failures "${MOCKBANK_INPUT_FAIL_ON_CHECK_FAILURES:-}" true)
profiles=${MOCKBANK_INPUT_PROFILES:-}
extra=${MOCKBANK_INPUT_ARGS:-}
summary=$(flag summary "${MOCKBANK_INPUT_SUMMARY:-}" true)
workdir=${MOCKBANK_INPUT_WORKING_DIRECTORY:-}
mockbank=${MOCKBANK_BIN:-mockbank}

case "$command" in
  *[![:space:]]*) ;;
  *) die "the command input is empty: give the client's test command (e.g. npm test)" ;;
esac
if [ -n "$workdir" ]; then
  cd "$workdir" || die "working-directory: cannot enter \`$workdir\`"
fi

args=(run)
markdown=""
set -f # report names are taken as written, not as patterns
for report in $reports; do
  args+=(--report "$report")
  case "$report" in
    *.md) [ -n "$markdown" ] || markdown=$report ;;
  esac
done
set +f
summary_file=${GITHUB_STEP_SUMMARY:-}
made_for_summary=""
if [ "$summary" = true ] && [ -n "$summary_file" ] && [ -z "$markdown" ]; then
  made_for_summary=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mockbank-summary.XXXXXX")
  markdown="$made_for_summary.md"
  mv "$made_for_summary" "$markdown"
  made_for_summary=$markdown
  args+=(--report "$markdown")
fi
if [ "$fail_on_checks" = true ]; then
  args+=(--fail-on-check-failures)
fi
if [ -n "$profiles" ]; then
  args+=(--profiles "$profiles")
fi
case "$extra" in
  *[![:space:]]*)
    # xargs splits as a shell would (quotes, backslashes) without expanding or running
    # anything; it fails on an unmatched quote.
    words=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mockbank-args.XXXXXX")
    if ! printf '%s\n' "$extra" | xargs printf '%s\0' >"$words"; then
      rm -f "$words"
      die "args: cannot split \`$extra\` into words (an unmatched quote?)"
    fi
    while IFS= read -r -d '' word; do
      args+=("$word")
    done <"$words"
    rm -f "$words"
    ;;
esac
args+=(-- bash --noprofile --norc -eo pipefail -c "$command")

# A Markdown report left by an earlier run must not stand in for this run's.
if [ -n "$markdown" ] && [ -f "$markdown" ]; then
  rm -f -- "$markdown"
fi

printf -v shown ' %q' "${args[@]}"
say "running ${mockbank}${shown}"
set +e
"$mockbank" "${args[@]}"
status=$?
set -e

if [ "$summary" = true ] && [ -n "$summary_file" ]; then
  # A step's summary holds at most 1 MiB: a longer report is cut, the files keep it whole.
  limit=1000000
  if [ -s "$markdown" ]; then
    size=$(wc -c <"$markdown" | tr -d ' ')
    if [ "$size" -le "$limit" ]; then
      cat "$markdown" >>"$summary_file"
    else
      head -c "$limit" "$markdown" >>"$summary_file"
      printf '\n\n*(report cut at %s bytes of %s: the whole is in %s)*\n' "$limit" "$size" "$markdown" >>"$summary_file"
    fi
    printf '\n' >>"$summary_file"
  else
    printf '**mockbank run** exited %s and wrote no Markdown report (see the step log).\n\n' "$status" >>"$summary_file"
  fi
fi
if [ -n "$made_for_summary" ]; then
  rm -f "$made_for_summary"
fi
if [ "$status" != 0 ] && [ "${GITHUB_ACTIONS:-}" = true ]; then
  case "$status" in
    1) why="the command failed, or checks failed (see the report)" ;;
    2) why="mockbank or the command could not run" ;;
    *) why="the command exited $status" ;;
  esac
  echo "::error title=mockbank::mockbank run exited $status: $why"
fi
exit "$status"
