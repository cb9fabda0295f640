#!/usr/bin/env bash
# Dynamic Client Registration throughput: mockbank (generic profile, HTTPS,
# every registration persisted to SQLite before the 201) against panva's
# oidc-provider (plain HTTP, default in-memory adapter), measured with wrk in
# the same run on the same machine, loopback only.
#
#   bash benches/registration.sh
#
# Environment (all optional):
#   BENCH_DURATION       measured duration of each wrk run       (default 10s)
#   BENCH_WARMUP         un-measured warm-up before each run     (default 2s)
#   BENCH_CONCURRENCY    POST concurrency levels                 (default "1 16 64")
#   BENCH_GET_CONCURRENCY  concurrency of the GET discovery baseline (default 16)
#   BENCH_OIDC_PROVIDER_VERSION  npm version spec of oidc-provider (default 9)
#   BENCH_MOCKBANK_BIN   use this mockbank binary instead of building one
#   BENCH_RESULTS_DIR    where latest.json and raw wrk output go (default benches/results)
#   CARGO_TARGET_DIR     cargo target dir (default $HOME/.cache/mockbank-target)
#
# The target in the brief (mockbank >= 5x oidc-provider POST req/s at c=16) is
# reported, never asserted: the script fails only if something could not run.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
POST_CONCURRENCY=${BENCH_CONCURRENCY:-"1 16 64"}
GET_CONCURRENCY=${BENCH_GET_CONCURRENCY:-16}
OIDC_PROVIDER_VERSION=${BENCH_OIDC_PROVIDER_VERSION:-9}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$SCRIPT_DIR/results}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/mockbank-target}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# The POST body lives in post.lua only; curl's sanity checks reuse it.
POST_BODY=$(sed -n "s/^wrk\.body = '\(.*\)'\$/\1/p" "$SCRIPT_DIR/post.lua")
[ -n "$POST_BODY" ] || die "could not read wrk.body from benches/post.lua"

# --- scratch space and cleanup ---------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mockbank-bench.XXXXXX")
SERVER_PID=""

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # Give a graceful shutdown up to 10 s, then force it.
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools -------------------------------------------------------------------

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

# apt_install PKG...: Debian packages, as root or through sudo.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get is not available; install $* by hand"
    log "installing $* (apt)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v wrk >/dev/null 2>&1 || apt_install wrk
command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
# oidc-provider 9 wants Node 20.19+ (it warns below 22); an older distribution
# nodejs may not run it.
{ command -v node && command -v npm; } >/dev/null 2>&1 || apt_install nodejs npm
for tool in wrk curl node npm cargo; do
    [ "$tool" = cargo ] && [ -n "${BENCH_MOCKBANK_BIN:-}" ] && continue
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# --- build / install the two servers ----------------------------------------

if [ -n "${BENCH_MOCKBANK_BIN:-}" ]; then
    MOCKBANK_BIN=$BENCH_MOCKBANK_BIN
else
    log "building mockbank (release) into $CARGO_TARGET_DIR"
    (cd "$REPO_ROOT" && cargo build --release --locked --bin mockbank)
    MOCKBANK_BIN=$CARGO_TARGET_DIR/release/mockbank
fi
[ -x "$MOCKBANK_BIN" ] || die "no mockbank binary at $MOCKBANK_BIN"

log "installing oidc-provider@$OIDC_PROVIDER_VERSION into a temporary directory"
OIDC_DIR=$WORK/oidc-provider
mkdir -p "$OIDC_DIR"
(
    cd "$OIDC_DIR"
    printf '{"name":"mockbank-bench-oidc-provider","private":true,"type":"module"}\n' >package.json
    npm install --no-audit --no-fund --loglevel=error "oidc-provider@$OIDC_PROVIDER_VERSION" >/dev/null
)
# ESM resolves `import 'oidc-provider'` relative to the importing file, so the
# runner must sit next to the temporary node_modules.
cp "$SCRIPT_DIR/oidc-provider-server.mjs" "$OIDC_DIR/"
OIDC_PROVIDER_INSTALLED=$(node -p "require('$OIDC_DIR/node_modules/oidc-provider/package.json').version")

# --- helpers -----------------------------------------------------------------

# json_field NAME < line: the value of a flat string field of a one-line JSON object.
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n1; }

# start_server NAME CMD...: start CMD in the background and wait for the one
# JSON `ready` line it prints on stdout; sets SERVER_PID and READY_LINE.
start_server() {
    local name=$1
    shift
    local out=$WORK/$name.stdout err=$WORK/$name.stderr
    "$@" >"$out" 2>"$err" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if grep -q '"event":"ready"' "$out" 2>/dev/null; then
            READY_LINE=$(grep -m1 '"event":"ready"' "$out")
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$err" >&2
            die "$name exited before it was ready"
        fi
        sleep 0.1
    done
    cat "$err" >&2
    die "$name printed no ready line within 30 s"
}

# expect_status WANT CURL_ARGS...: one request with curl, fail unless the
# status is WANT (so wrk never measures a server that answers errors).
expect_status() {
    local want=$1
    shift
    local got
    got=$(curl -sS -o "$WORK/last-body" -w '%{http_code}' "$@") || die "curl failed: $*"
    if [ "$got" != "$want" ]; then
        cat "$WORK/last-body" >&2
        echo >&2
        die "expected HTTP $want, got $got from: $*"
    fi
}

# to_ms: wrk latency (e.g. 850.00us, 1.20ms, 1.05s, 1.50m) -> milliseconds.
to_ms() {
    awk '{
        v = $1
        if (v ~ /us$/)      { sub(/us$/, "", v); v = v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); v = v + 0 }
        else if (v ~ /m$/)  { sub(/m$/, "", v);  v = v * 60000 }
        else if (v ~ /s$/)  { sub(/s$/, "", v);  v = v * 1000 }
        printf "%.2f", v
    }'
}

RAW_DIR=$RESULTS_DIR/raw
mkdir -p "$RAW_DIR"
declare -A RPS P50 P99 NON2XX SOCKERR REQS CPU_US
declare -A COMPLETED_POSTS # target -> 2xx POST responses seen, warm-ups included
KEYS=()

# count_ok FILE: responses wrk completed minus wrk's error-status count.
count_ok() {
    local total bad
    total=$(awk '/ requests in / {print $1; exit}' "$1")
    bad=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2; exit}' "$1")
    echo $(( ${total:-0} - ${bad:-0} ))
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
# cpu_ticks PID: user + system CPU of a process, all its threads, in clock ticks
# (fields 14 and 15 of /proc/PID/stat, counted after the `(comm)` field).
cpu_ticks() {
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}

# run_wrk TARGET METHOD CONCURRENCY URL: a warm-up, then the measured run.
run_wrk() {
    local target=$1 method=$2 c=$3 url=$4
    local key="$target/$method/$c" file="$RAW_DIR/$target-$method-c$c.txt"
    local lua=()
    [ "$method" = POST ] && lua=(-s "$SCRIPT_DIR/post.lua")

    log "$target $method c=$c: warm-up $WARMUP, then $DURATION"
    wrk -t1 -c"$c" -d"$WARMUP" "${lua[@]}" "$url" >"$file.warmup"
    local ticks_before ticks_after
    ticks_before=$(cpu_ticks "$SERVER_PID")
    wrk -t1 -c"$c" -d"$DURATION" --latency "${lua[@]}" "$url" >"$file"
    ticks_after=$(cpu_ticks "$SERVER_PID")

    RPS[$key]=$(awk '/^Requests\/sec:/ {printf "%.1f", $2}' "$file")
    P50[$key]=$(awk '$1 == "50%" {print $2; exit}' "$file" | to_ms)
    P99[$key]=$(awk '$1 == "99%" {print $2; exit}' "$file" | to_ms)
    NON2XX[$key]=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2; exit}' "$file")
    NON2XX[$key]=${NON2XX[$key]:-0}
    # "Socket errors: connect 0, read 0, write 0, timeout 0" -> their sum.
    SOCKERR[$key]=$(awk '/Socket errors:/ {gsub(/[^0-9 ]/, " "); n = 0; for (i = 1; i <= NF; i++) n += $i; print n; exit}' "$file")
    SOCKERR[$key]=${SOCKERR[$key]:-0}
    REQS[$key]=$(awk '/ requests in / {print $1; exit}' "$file")
    [ -n "${RPS[$key]}" ] || die "could not parse wrk output in $file"
    # The server's own CPU per request (wrk's share of the cores does not count).
    CPU_US[$key]=$(awk -v a="${ticks_before:-}" -v b="${ticks_after:-}" -v n="${REQS[$key]:-0}" -v hz="$CLK_TCK" \
        'BEGIN { if (a == "" || b == "" || n + 0 == 0) print "n/a"; else printf "%.1f", (b - a) / hz * 1e6 / n }')
    KEYS+=("$key")

    if [ "$method" = POST ]; then
        COMPLETED_POSTS[$target]=$(( ${COMPLETED_POSTS[$target]:-0} + $(count_ok "$file.warmup") + $(count_ok "$file") ))
    fi
}

# bench_target TARGET POST_URL GET_URL: the GET baseline, then POST at each level.
bench_target() {
    local target=$1 post_url=$2 get_url=$3 c
    run_wrk "$target" GET "$GET_CONCURRENCY" "$get_url"
    for c in $POST_CONCURRENCY; do
        run_wrk "$target" POST "$c" "$post_url"
    done
}

# --- mockbank ------------------------------------------------------------------

MOCKBANK_DATA=$WORK/mockbank-data
mkdir -p "$MOCKBANK_DATA"
log "starting mockbank"
start_server mockbank env RUST_LOG=warn "$MOCKBANK_BIN" serve --data-dir "$MOCKBANK_DATA" --listen 127.0.0.1:0
MB_BASE=$(json_field base_url <<<"$READY_LINE")
MB_CA=$(json_field ca_cert <<<"$READY_LINE")
case "$MB_BASE" in https://127.0.0.1:*) ;; *) die "unexpected mockbank base_url: $MB_BASE" ;; esac
MB_POST=$MB_BASE/generic/register
MB_GET=$MB_BASE/generic/.well-known/openid-configuration
expect_status 200 --cacert "$MB_CA" "$MB_GET"
expect_status 201 --cacert "$MB_CA" -H 'Content-Type: application/json' --data "$POST_BODY" "$MB_POST"
COMPLETED_POSTS[mockbank]=1
bench_target mockbank "$MB_POST" "$MB_GET"
stop_server

# Every 201 must correspond to a row in the store: count them (needs sqlite3;
# skipped without it). In-flight requests that wrk abandoned at the end of a
# run may still have been stored, so "stored >= answered" is the pass.
MB_STORED=""
if command -v sqlite3 >/dev/null 2>&1; then
    while IFS= read -r db; do
        if n=$(sqlite3 "$db" "SELECT count(*) FROM clients WHERE profile = 'generic'" 2>/dev/null); then
            MB_STORED=$n
            break
        fi
    done < <(find "$MOCKBANK_DATA" -type f \( -name '*.db' -o -name '*.sqlite' -o -name '*.sqlite3' \))
fi

# --- oidc-provider -----------------------------------------------------------------

log "starting oidc-provider $OIDC_PROVIDER_INSTALLED"
start_server oidc-provider env NODE_ENV=production node "$OIDC_DIR/oidc-provider-server.mjs"
OP_BASE=$(json_field base_url <<<"$READY_LINE")
case "$OP_BASE" in http://127.0.0.1:*) ;; *) die "unexpected oidc-provider base_url: $OP_BASE" ;; esac
OP_POST=$(json_field registration_endpoint <<<"$READY_LINE")
OP_GET=$OP_BASE/.well-known/openid-configuration
expect_status 200 "$OP_GET"
expect_status 201 -H 'Content-Type: application/json' --data "$POST_BODY" "$OP_POST"
COMPLETED_POSTS[oidc-provider]=1
bench_target oidc-provider "$OP_POST" "$OP_GET"
stop_server

# --- report ---------------------------------------------------------------------

# ratio A B: A / B with two decimals, or n/a.
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# post_ratio ARRAY C: mockbank / oidc-provider of ARRAY's POST figure at concurrency C.
post_ratio() {
    local -n figures=$1
    ratio "${figures[mockbank/POST/$2]:-}" "${figures[oidc-provider/POST/$2]:-}"
}

# post_ratios_json ARRAY: {"C": ratio, ...} over the POST concurrencies (null for n/a).
post_ratios_json() {
    local c r sep=""
    printf '{'
    for c in $POST_CONCURRENCY; do
        r=$(post_ratio "$1" "$c")
        [ "$r" = n/a ] && r=null
        printf '%s"%s": %s' "$sep" "$c" "$r"
        sep=", "
    done
    printf '}'
}

echo
echo "Registration benchmark: wrk -t1, $DURATION per run after a $WARMUP warm-up, $(nproc) CPUs, loopback"
echo "mockbank: generic profile over HTTPS, SQLite store | oidc-provider $OIDC_PROVIDER_INSTALLED: HTTP, in-memory adapter"
echo
printf '%-14s %-6s %5s %11s %9s %9s %12s %9s %9s\n' target method conc 'req/s' 'p50 ms' 'p99 ms' 'CPU µs/req' 'non-2xx*' 'sock-err'
for key in "${KEYS[@]}"; do
    IFS=/ read -r target method c <<<"$key"
    printf '%-14s %-6s %5s %11s %9s %9s %11s %9s %9s\n' "$target" "$method" "$c" \
        "${RPS[$key]}" "${P50[$key]}" "${P99[$key]}" "${CPU_US[$key]}" "${NON2XX[$key]}" "${SOCKERR[$key]}"
done
echo "CPU µs/req: the server process's user + system CPU (all threads) during the measured run,"
echo "  divided by the requests wrk completed."
echo "* wrk's 'Non-2xx or 3xx responses' counter, which counts statuses >= 400; both servers"
echo "  were checked with curl to answer exactly 201 (POST) and 200 (GET) before the load."
echo
echo "POST req/s ratio mockbank / oidc-provider:"
for c in $POST_CONCURRENCY; do
    printf '  c=%-3s %sx\n' "$c" "$(post_ratio RPS "$c")"
done
echo "POST / GET (discovery) req/s ratio at c=$GET_CONCURRENCY:"
for target in mockbank oidc-provider; do
    printf '  %-14s %s\n' "$target" "$(ratio "${RPS[$target/POST/$GET_CONCURRENCY]:-}" "${RPS[$target/GET/$GET_CONCURRENCY]:-}")"
done
echo "Server CPU per POST, mockbank / oidc-provider (lower is better):"
for c in $POST_CONCURRENCY; do
    printf '  c=%-3s %s\n' "$c" "$(post_ratio CPU_US "$c")"
done
CPU_RATIO=$(post_ratio CPU_US 16)
CPU_MET=$(awk -v r="$CPU_RATIO" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 <= 0.2) print "yes"; else print "no" }')
echo "Target mockbank CPU per registration <= 1/5 of oidc-provider's at c=16 (reported, not asserted): $CPU_MET ($CPU_RATIO)"
TARGET_RATIO=$(post_ratio RPS 16)
TARGET_MET=$(awk -v r="$TARGET_RATIO" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 >= 5) print "yes"; else print "no" }')
echo "Target mockbank >= 5x oidc-provider POST at c=16 (reported, not asserted): $TARGET_MET ($TARGET_RATIO x)"
if [ -n "$MB_STORED" ]; then
    echo "mockbank registrations answered 2xx (incl. warm-ups and checks): ${COMPLETED_POSTS[mockbank]}; rows stored: $MB_STORED"
else
    echo "mockbank registrations answered 2xx: ${COMPLETED_POSTS[mockbank]}; rows stored: not counted (no sqlite3)"
fi

# --- JSON summary ----------------------------------------------------------------

{
    printf '{\n'
    printf '  "date": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '  "mockbank_commit": "%s",\n' "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf '  "oidc_provider_version": "%s",\n' "$OIDC_PROVIDER_INSTALLED"
    printf '  "node_version": "%s",\n' "$(node --version)"
    printf '  "wrk_version": "%s",\n' "$(wrk --version 2>&1 | awk 'NR == 1 {print $2}')"
    printf '  "cpus": %s,\n' "$(nproc)"
    printf '  "duration": "%s",\n  "warmup": "%s",\n' "$DURATION" "$WARMUP"
    printf '  "runs": [\n'
    sep=""
    for key in "${KEYS[@]}"; do
        IFS=/ read -r target method c <<<"$key"
        cpu=${CPU_US[$key]:-n/a}
        [ "$cpu" = n/a ] && cpu=null
        printf '%s    {"target": "%s", "method": "%s", "concurrency": %s, "requests": %s, "rps": %s, "p50_ms": %s, "p99_ms": %s, "server_cpu_us_per_request": %s, "non_2xx": %s, "socket_errors": %s}' \
            "$sep" "$target" "$method" "$c" "${REQS[$key]:-0}" "${RPS[$key]}" "${P50[$key]}" "${P99[$key]}" "$cpu" "${NON2XX[$key]}" "${SOCKERR[$key]}"
        sep=$',\n'
    done
    printf '\n  ],\n'
    printf '  "post_ratio_mockbank_over_oidc_provider": %s,\n' "$(post_ratios_json RPS)"
    printf '  "post_cpu_ratio_mockbank_over_oidc_provider": %s,\n' "$(post_ratios_json CPU_US)"
    printf '  "post_over_get": {'
    sep=""
    for target in mockbank oidc-provider; do
        r=$(ratio "${RPS[$target/POST/$GET_CONCURRENCY]:-}" "${RPS[$target/GET/$GET_CONCURRENCY]:-}")
        [ "$r" = n/a ] && r=null
        printf '%s"%s": %s' "$sep" "$target" "$r"
        sep=", "
    done
    printf '},\n'
    printf '  "mockbank_posts_answered_2xx": %s,\n' "${COMPLETED_POSTS[mockbank]}"
    printf '  "mockbank_clients_stored": %s\n' "${MB_STORED:-null}"
    printf '}\n'
} >"$RESULTS_DIR/latest.json"
echo
echo "JSON summary: ${RESULTS_DIR#"$REPO_ROOT"/}/latest.json (raw wrk output in ${RAW_DIR#"$REPO_ROOT"/}/)"
