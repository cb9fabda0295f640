#!/usr/bin/env bash
# Builds what mockbank ships into dist/, with dist/SHA256SUMS:
#   mockbank-V-TARGET.tar.gz   the static headless binary (UI embedded), README, LICENSE,
#                              shell completions and man pages (TARGET: a *-linux-musl triple)
#   mockbank_V_amd64.deb       the desktop app (menu entry, icons) and the `mockbank` command
#   mockbank-V-1.x86_64.rpm    the same as an rpm
#   mockbank-V-image.tar       the container image (Containerfile: the static binary on scratch),
#                              as an OCI archive (`podman load -i`)
# Every binary uses the `dist` profile (fat LTO, one codegen unit, stripped).
#
#   bash scripts/package.sh [--only tarball|desktop|image|crates]... [--target TRIPLE]...
#
# `crates` checks the published crates with `cargo package` (nothing lands in dist/).
#
# --target adds a tarball target (default x86_64-unknown-linux-musl; aarch64-unknown-linux-musl
# cross-compiles when an aarch64 musl C compiler is found). Nothing in dist/ needs a compiler
# to install. Times and sizes are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

only=() targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) only+=("$2"); shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-linux-musl)
wants() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
dist=$PWD/dist
mkdir -p "$dist"
started=$SECONDS
timings=()
step() { timings+=("$1: $(($SECONDS - $2)) s"); }
# A reproducible build date: the commit's, not the clock's (build.rs reads it).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

require_cargo
require_package_deps() {
  apt_require build-essential pkg-config musl-tools perl make file
  local t
  for t in "${targets[@]}"; do
    rustup target list --installed 2>/dev/null | grep -qx "$t" || rustup target add "$t"
  done
}
build_ui

# The C compiler for a musl target (ring, SQLite, mimalloc and OpenSSL are compiled from C):
# Debian's musl-gcc natively; for aarch64 on an x86_64 host, Debian's aarch64 cross gcc
# pointed at musl's arm64 headers and libraries (musl-dev:arm64) by a specs file made from
# musl-gcc's own.
musl_cc() {
  local host
  host=$(uname -m)
  case $1 in
    "$host"-unknown-linux-musl) command -v musl-gcc ;;
    aarch64-unknown-linux-musl)
      command -v aarch64-linux-musl-gcc && return 0
      local native_specs wrap=$CARGO_TARGET_DIR/aarch64-musl-cc
      native_specs=$(dirname "$(readlink -f "$(command -v musl-gcc)")")/../lib/$host-linux-musl/musl-gcc.specs
      if ! command -v aarch64-linux-gnu-gcc >/dev/null || [ ! -f /usr/lib/aarch64-linux-musl/libc.a ]; then
        as_root dpkg --add-architecture arm64
        apt_install gcc-aarch64-linux-gnu musl-dev:arm64 >&2 || return 1
      fi
      [ -f "$native_specs" ] || native_specs=$(find /usr/lib -name musl-gcc.specs -path "*$host*" | head -n 1)
      [ -f "$native_specs" ] || return 1
      mkdir -p "$wrap"
      sed -e "s/$host-linux-musl/aarch64-linux-musl/g" -e "s/ld-musl-$host/ld-musl-aarch64/g" \
        "$native_specs" >"$wrap/musl-gcc.specs"
      printf '#!/bin/sh\nexec aarch64-linux-gnu-gcc -specs "%s/musl-gcc.specs" "$@"\n' "$wrap" >"$wrap/aarch64-linux-musl-gcc"
      chmod +x "$wrap/aarch64-linux-musl-gcc"
      echo "$wrap/aarch64-linux-musl-gcc"
      ;;
    *) return 1 ;;
  esac
}

# Builds the static binary for TARGET and packs the tarball.
tarball() {
  local target=$1 t0=$SECONDS cc
  if ! cc=$(musl_cc "$target"); then
    echo "package.sh: no C compiler for $target here; skipping its tarball" >&2
    return 0
  fi
  local triple_env=${target//-/_}
  echo "== static binary for $target (dist profile, vendored OpenSSL)"
  # Natively, cargo's defaults work (the cc crate finds musl-gcc; rustc links with its own
  # musl start files: musl-gcc as the linker would add a second set, and the binary crashes).
  # Cross-compiling, the C code and the link need the aarch64 tools.
  local cross=()
  if [[ $target != "$(uname -m)"-* ]]; then
    cross=("CC_${triple_env}=$cc" "AR_${triple_env}=${cc%-gcc}-ar"
      "CARGO_TARGET_${triple_env^^}_LINKER=${CROSS_LINKER:-aarch64-linux-gnu-gcc}")
    command -v "${cc%-gcc}-ar" >/dev/null || cross[1]="AR_${triple_env}=aarch64-linux-gnu-ar"
  fi
  env "${cross[@]}" \
    cargo build --locked --profile dist --target "$target" --features vendored-openssl --bin mockbank
  local bin=$CARGO_TARGET_DIR/$target/dist/mockbank
  local name=mockbank-$version-$target stage
  stage=$(mktemp -d)
  mkdir -p "$stage/$name/completions" "$stage/$name/man"
  cp "$bin" "$stage/$name/mockbank"
  cp README.md LICENSE "$stage/$name/"
  # Completions and man pages from the binary itself; a cross-compiled one runs under
  # qemu-user when that is installed, else the host's own build writes them (same text).
  local gen=("$bin") arch=${target%%-*}
  if ! "$bin" --version >/dev/null 2>&1; then
    if command -v "qemu-$arch-static" >/dev/null; then
      gen=("qemu-$arch-static" "$bin")
    else
      gen=("$CARGO_TARGET_DIR/$(uname -m)-unknown-linux-musl/dist/mockbank")
      [ -x "${gen[0]}" ] || tarball "$(uname -m)-unknown-linux-musl"
    fi
  fi
  "${gen[@]}" --version | grep -q "^mockbank $version" || {
    echo "package.sh: the $target binary does not run (${gen[*]})" >&2
    return 1
  }
  "${gen[@]}" completions bash >"$stage/$name/completions/mockbank.bash"
  "${gen[@]}" completions zsh >"$stage/$name/completions/_mockbank"
  "${gen[@]}" completions fish >"$stage/$name/completions/mockbank.fish"
  "${gen[@]}" man --out-dir "$stage/$name/man"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$stage" -czf "$dist/$name.tar.gz" "$name"
  rm -rf "$stage"
  step "tarball $target" "$t0"
}

# The desktop app through Tauri's bundler, with the static `mockbank` command, its
# completions and man pages added to the packages.
desktop() {
  local t0=$SECONDS
  require_desktop_deps
  local cli=$CARGO_TARGET_DIR/x86_64-unknown-linux-musl/dist/mockbank
  [ -x "$cli" ] || tarball x86_64-unknown-linux-musl
  local extra
  extra=$(mktemp -d)
  "$cli" completions bash >"$extra/mockbank.bash"
  "$cli" completions zsh >"$extra/_mockbank"
  "$cli" completions fish >"$extra/mockbank.fish"
  "$cli" man --out-dir "$extra/man"
  gzip -9n "$extra"/man/*.1
  local files='"/usr/bin/mockbank": "'$cli'",
      "/usr/share/bash-completion/completions/mockbank": "'$extra'/mockbank.bash",
      "/usr/share/zsh/vendor-completions/_mockbank": "'$extra'/_mockbank",
      "/usr/share/fish/vendor_completions.d/mockbank.fish": "'$extra'/mockbank.fish",
      "/usr/share/man/man1": "'$extra'/man"'
  cat >"$extra/bundle.json" <<EOF
{ "bundle": { "linux": {
    "deb": { "files": { $files } },
    "rpm": { "files": { $files } }
} } }
EOF
  echo "== desktop packages (.deb, .rpm)"
  (cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb,rpm \
    --config "$extra/bundle.json" -- --locked --profile dist)
  local out=$CARGO_TARGET_DIR/dist/bundle
  cp "$out/deb/mockbank_${version}_amd64.deb" "$out/rpm/mockbank-${version}-1.x86_64.rpm" "$dist/"
  rm -rf "$extra"
  step "desktop packages" "$t0"
}

# The container image: the Containerfile around the static binary, saved as an OCI archive.
image() {
  local t0=$SECONDS
  apt_require podman runc
  # MOCKBANK_IMAGE_BINARY: a static binary built elsewhere (the release pipeline's).
  local cli=${MOCKBANK_IMAGE_BINARY:-$CARGO_TARGET_DIR/x86_64-unknown-linux-musl/dist/mockbank}
  [ -x "$cli" ] || tarball x86_64-unknown-linux-musl
  local ctx
  ctx=$(mktemp -d)
  cp "$cli" "$ctx/mockbank"
  mkdir -p "$ctx/rootfs/data" "$ctx/rootfs/tmp"
  chmod 1777 "$ctx/rootfs/tmp"
  echo "== container image mockbank:$version"
  podman_cmd build --quiet --build-arg BINARY=mockbank -t "localhost/mockbank:$version" \
    -f Containerfile "$ctx" >/dev/null
  rm -f "$dist/mockbank-$version-image.tar"
  podman_cmd save --format oci-archive -o "$dist/mockbank-$version-image.tar" "localhost/mockbank:$version"
  rm -rf "$ctx"
  step "image" "$t0"
}

# What `cargo install mockbank` builds from: the published crates, checked by `cargo package`
# (which builds them as they would be downloaded). The copies of profiles, scenarios and the
# built UI that they carry are made for it and removed after.
crates() {
  local t0=$SECONDS copies=(crates/mockbank-core/profiles crates/mockbank-core/scenarios crates/mockbank-server/ui)
  rm -rf "${copies[@]}"
  cp -r profiles scenarios crates/mockbank-core/
  mkdir -p crates/mockbank-server/ui
  cp -r ui/dist ui/first-run.html crates/mockbank-server/ui/
  echo "== cargo package (the published crates)"
  # cargo package verifies each crate against the others through a temporary local registry,
  # and unpacks those into CARGO_HOME once per name and version: a copy unpacked by an
  # earlier run of the same version would be used again, stale. (The local registry's folders
  # are named `-HASH`; crates.io's are `index.…`.)
  local cargo_home=${CARGO_HOME:-$HOME/.cargo}
  rm -rf "$cargo_home"/registry/src/-*/mockbank-* "$cargo_home"/registry/cache/-*/mockbank-*
  # Cargo takes a registry crate's build, and its build script's output, as fresh by name and
  # version (the unpacked sources carry a fixed old mtime), so a shared target dir would link
  # an earlier run's mockbank-core into this run's mockbank-pki. Forget every mockbank build:
  # the workspace's own are rebuilt on the next change anyway.
  rm -rf "$CARGO_TARGET_DIR"/debug/.fingerprint/mockbank* "$CARGO_TARGET_DIR"/debug/build/mockbank*
  local status=0
  cargo package --locked --allow-dirty -p mockbank-core -p mockbank-http -p mockbank-pki \
    -p mockbank-store -p mockbank-tpp -p mockbank-server -p mockbank || status=$?
  rm -rf "${copies[@]}"
  [ $status = 0 ] || return $status
  step "cargo package" "$t0"
}

require_package_deps
for target in "${targets[@]}"; do
  if wants tarball; then tarball "$target"; fi
done
if wants desktop; then desktop; fi
if wants image; then image; fi
if wants crates; then crates; fi

(
  cd "$dist" && shopt -s nullglob && rm -f SHA256SUMS
  artifacts=(*.tar.gz *.zip *.deb *.rpm *.tar)
  [ ${#artifacts[@]} -eq 0 ] || sha256sum -- "${artifacts[@]}" >SHA256SUMS
)
echo "== dist/ (mockbank $version)"
(cd "$dist" && for f in *; do printf '%10s  %s\n' "$(du -h --apparent-size "$f" | cut -f1)" "$f"; done)
for t in "${timings[@]}"; do echo "time: $t"; done
echo "time: packaging in all: $((SECONDS - started)) s"
