#!/usr/bin/env bash
# Install tests of what scripts/package.sh put in dist/, used as a user would:
#   1. the tarball: its files, a static binary that runs with an empty environment;
#   2. the image (FROM scratch: the binary is its only program): `--version`, then `serve`
#      with the data dir as a volume, a client registered from the host through the published
#      port with the CA from the volume, the time from `podman run` to the ready line; then
#      `mockbank run -- CMD` inside it;
#   3. the .deb: `apt-get install ./dist/…deb` resolves its dependencies, `mockbank` is on the
#      PATH, the installed desktop app shows the UI under Xvfb (screenshot checked), and
#      `apt-get remove` leaves nothing but the user's data dir;
#   4. the .rpm's file list (`rpm -qpl`);
#   5. the install script against dist/ served over local HTTP (tests/install), and the time
#      from that cold download to `mockbank serve`'s ready line.
# Screenshots go to ui/e2e/screenshots/installed-*.png. Needs root for apt and podman.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

dist=$PWD/dist
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
target=x86_64-unknown-linux-musl
passed=0
ok() { echo "packages: ok: $*"; passed=$((passed + 1)); }
fail() { echo "packages: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
cleanup() {
  podman_cmd rm -f -t 0 mockbank-test-serve >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
apt_require file xvfb xauth imagemagick curl rpm podman runc python3

# Waits (up to $2 s) for a file to hold a ready line; prints it.
wait_ready() {
  local file=$1 limit=$2 i
  for i in $(seq 1 $((limit * 10))); do
    if grep -q '"event":"ready"' "$file" 2>/dev/null; then
      grep -m1 '"event":"ready"' "$file"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# 1. The tarball.
tarball=$dist/mockbank-$version-$target.tar.gz
[ -f "$tarball" ] || fail "$tarball is missing (bash scripts/package.sh first)"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "dist/SHA256SUMS does not match"
tar -xzf "$tarball" -C "$tmp"
root=$tmp/mockbank-$version-$target
for f in mockbank README.md LICENSE completions/mockbank.bash completions/_mockbank \
  completions/mockbank.fish man/mockbank.1 man/mockbank-serve.1; do
  [ -s "$root/$f" ] || fail "the tarball has no $f"
done
file "$root/mockbank" | grep -Eq "static(-pie)? linked" || fail "not static: $(file "$root/mockbank")"
env -i "$root/mockbank" --version | grep -q "^mockbank $version (" || fail "--version: $(env -i "$root/mockbank" --version)"
bash -n "$root/completions/mockbank.bash" || fail "the bash completion does not parse"
grep -q '^\.TH mockbank 1' "$root/man/mockbank.1" || fail "man/mockbank.1 is not a man page"
ok "tarball $(du -h --apparent-size "$tarball" | cut -f1): static binary $(du -h --apparent-size "$root/mockbank" | cut -f1), runs under env -i ($(env -i "$root/mockbank" --version))"
cli=$root/mockbank

# 2. The image.
image_tar=$dist/mockbank-$version-image.tar
[ -f "$image_tar" ] || fail "$image_tar is missing"
image=localhost/mockbank:$version
podman_cmd load -q -i "$image_tar" >/dev/null
loaded=$(grep -m1 "mockbank:$version" <<<"$(podman_cmd images --format '{{.Repository}}:{{.Tag}}')") || fail "the image did not load"
image=$loaded
podman_cmd run --rm --network none "$image" --version | grep -q "^mockbank $version" || fail "the image's --version"
user=$(podman_cmd image inspect --format '{{.Config.User}}' "$image")
[ "$user" = 65532:65532 ] || fail "the image runs as '$user', not a non-root user"
ok "image $image: $(podman_cmd image inspect --format '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}'), FROM scratch, user $user"

vol=$tmp/volume
mkdir -p "$vol" && chown 65532:65532 "$vol"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
t0=$(ms)
podman_cmd run -d --name mockbank-test-serve -p "127.0.0.1:$port:8443" -v "$vol:/data" "$image" \
  serve --listen 0.0.0.0:8443 --public-url "https://localhost:$port" >/dev/null
# (The logs are read whole: `grep -q` closing a pipe early would fail it under pipefail.)
logs=""
for _ in $(seq 1 300); do
  logs=$(podman_cmd logs mockbank-test-serve 2>&1 || true)
  [[ $logs == *'"event":"ready"'* ]] && break
  sleep 0.1
done
t1=$(ms)
[[ $logs == *'"event":"ready"'* ]] || { echo "$logs" >&2; fail "the container printed no ready line"; }
[[ $logs == *"\"base_url\":\"https://localhost:$port\""* ]] || fail "the ready line does not use the public URL: $logs"
[[ $logs == *"every network interface"* ]] || fail "the log does not say what is exposed: $logs"
[ -s "$vol/ca.pem" ] || fail "no CA in the volume"
# From the host: discovery over the published port, then a registration by the reference TPP.
discovery=$(curl -fsS --cacert "$vol/ca.pem" "https://localhost:$port/generic/.well-known/openid-configuration") ||
  fail "discovery through the published port"
[[ $discovery == *"\"issuer\":\"https://localhost:$port/generic\""* ]] || fail "the issuer is not the public URL's: $discovery"
"$cli" tpp register --data-dir "$vol" --profile generic >"$tmp/register.json" ||
  fail "a registration from the host: $(cat "$tmp/register.json")"
grep -q '"client_id"' "$tmp/register.json" || fail "the registration answered no client_id"
podman_cmd stop -t 10 mockbank-test-serve >/dev/null
podman_cmd rm mockbank-test-serve >/dev/null
ok "image serve: ready $((t1 - t0)) ms after podman run; a client registered from the host through 127.0.0.1:$port with the CA from the volume"

# `mockbank run -- CMD` inside the image: the command is the image's own mockbank (there is
# no shell), as a client's test would be.
vol2=$tmp/volume2
mkdir -p "$vol2" && chown 65532:65532 "$vol2"
podman_cmd run --rm --network none -v "$vol2:/data" "$image" \
  run --report /data/report.md -- /mockbank tpp register --profile generic >"$tmp/run.out" 2>"$tmp/run.err" ||
  { cat "$tmp/run.err" >&2; fail "mockbank run inside the image"; }
grep -q '"client_id"' "$tmp/run.out" || fail "the command inside mockbank run did not register: $(cat "$tmp/run.out")"
grep -qi "grade" "$vol2/report.md" || fail "mockbank run wrote no graded report"
ok "image run: mockbank run -- /mockbank tpp register passed inside the image, report written"

# 3. The .deb.
deb=$dist/mockbank_${version}_amd64.deb
[ -f "$deb" ] || fail "$deb is missing"
if dpkg-query -W -f='${Status}' mockbank 2>/dev/null | grep -q "ok installed"; then
  as_root apt-get purge -y -qq mockbank >/dev/null
fi
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$deb" >"$tmp/apt.log" 2>&1 ||
  { cat "$tmp/apt.log" >&2; fail "apt-get install $deb"; }
[ "$(command -v mockbank)" = /usr/bin/mockbank ] || fail "mockbank is not on the PATH from the package"
(cd / && env -i PATH=/usr/bin:/bin mockbank --version) | grep -q "^mockbank $version" || fail "mockbank --version from the PATH"
dpkg -L mockbank >"$tmp/deb-files"
for f in /usr/bin/mockbank-desktop /usr/share/applications/mockbank.desktop /usr/share/man/man1/mockbank.1.gz \
  /usr/share/bash-completion/completions/mockbank; do
  grep -qx "$f" "$tmp/deb-files" || fail "the .deb installs no $f"
done
grep -q "/usr/share/icons/hicolor/.*/apps/mockbank-desktop.png" "$tmp/deb-files" || fail "the .deb installs no icon"
grep -q "^Exec=mockbank-desktop" /usr/share/applications/mockbank.desktop || fail "the menu entry does not start the app"
ok "deb $(du -h --apparent-size "$deb" | cut -f1): installed with its dependencies; mockbank on the PATH; menu entry and icons"

# The installed desktop app, in a window under Xvfb, with a data dir of its own.
shots=ui/e2e/screenshots
mkdir -p "$shots"
home=$tmp/desktop-home
mkdir -p "$home"
cat >"$tmp/window.sh" <<'EOF'
set -euo pipefail
home=$1 shot=$2
HOME="$home" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" XDG_CONFIG_HOME="$home/config" \
  /usr/bin/mockbank-desktop >"$home/stdout" 2>"$home/stderr" &
app=$!
trap 'kill "$app" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -q '"event":"ready"' "$home/stdout" 2>/dev/null && break
  kill -0 "$app" 2>/dev/null || break
  sleep 0.1
done
grep -q '"event":"ready"' "$home/stdout" || { cat "$home/stderr" >&2; exit 1; }
sleep 5
import -window root "$shot"
kill -TERM "$app"
wait "$app"
EOF
xvfb-run -a -s "-screen 0 1280x800x24" bash "$tmp/window.sh" "$home" "$shots/installed-desktop.png" ||
  fail "the installed desktop app did not start (stderr above)"
colours=$(convert "$shots/installed-desktop.png" -format %k info:)
[ "$colours" -ge 200 ] || fail "the installed app's window looks blank ($colours colours)"
data=$(find "$home/data" -name ca.pem -printf '%h\n' | head -n 1)
[ -n "$data" ] || fail "the installed app made no data dir"
ok "installed desktop app: ready line, window drawn ($colours colours, $shots/installed-desktop.png), data in ${data#"$home/"}"

DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq mockbank >/dev/null
left=()
while read -r f; do
  [ -f "$f" ] || [ -L "$f" ] && left+=("$f")
done <"$tmp/deb-files"
[ ${#left[@]} -eq 0 ] || fail "apt-get remove left: ${left[*]}"
command -v mockbank >/dev/null && fail "mockbank is still on the PATH after apt-get remove"
[ -s "$data/ca.pem" ] || fail "apt-get remove took the user's data dir"
ok "apt-get remove: none of the package's $(wc -l <"$tmp/deb-files") paths left; the user's data dir kept"

# 4. The .rpm's file list.
rpm_file=$dist/mockbank-$version-1.x86_64.rpm
[ -f "$rpm_file" ] || fail "$rpm_file is missing"
rpm -qpl "$rpm_file" >"$tmp/rpm-files" 2>/dev/null
for f in /usr/bin/mockbank /usr/bin/mockbank-desktop /usr/share/applications/mockbank.desktop \
  /usr/share/man/man1/mockbank.1.gz; do
  grep -qx "$f" "$tmp/rpm-files" || fail "the .rpm holds no $f"
done
grep -q webkit2gtk <<<"$(rpm -qpR "$rpm_file" 2>/dev/null)" || fail "the .rpm does not require WebKitGTK"
ok "rpm $(du -h --apparent-size "$rpm_file" | cut -f1): $(wc -l <"$tmp/rpm-files") files (rpm -qpl), requires WebKitGTK"

# 5. The install script against a local release directory, then a cold start.
if [ -f tests/install/test-install.sh ]; then
  DIST_DIR=$dist bash tests/install/test-install.sh || fail "tests/install/test-install.sh"
  ok "install script (tests/install/test-install.sh)"
fi
serve_dir=$tmp/release
mkdir -p "$serve_dir"
cp "$tarball" "$dist/SHA256SUMS" "$serve_dir/"
http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$serve_dir" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
http=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$http_port/SHA256SUMS" >/dev/null && break; sleep 0.1; done
t0=$(ms)
bash scripts/install.sh --version "$version" --base-url "http://127.0.0.1:$http_port" \
  --dir "$tmp/cold/bin" --cache "$tmp/cold/cache" >"$tmp/install.log" 2>&1 ||
  { kill "$http"; cat "$tmp/install.log" >&2; fail "install.sh from the local release"; }
t1=$(ms)
"$tmp/cold/bin/mockbank" serve --data-dir "$tmp/cold/data" --listen 127.0.0.1:0 >"$tmp/cold/out" 2>"$tmp/cold/err" &
srv=$!
wait_ready "$tmp/cold/out" 30 >/dev/null || { kill "$srv" "$http"; cat "$tmp/cold/err" >&2; fail "the installed binary printed no ready line"; }
t2=$(ms)
kill -TERM "$srv"; wait "$srv" || true
kill "$http"; wait "$http" 2>/dev/null || true
ok "cold install: download and verify $((t1 - t0)) ms, then ready $((t2 - t1)) ms (in all $((t2 - t0)) ms)"

echo "packages: $passed passed, 0 failed"
