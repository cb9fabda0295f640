#!/usr/bin/env bash
# Installs mockbank from a release: the archive for this machine, checked against the
# release's SHA256SUMS before anything is unpacked.
#
#   curl -fsSL https://github.com/OWNER/REPO/releases/latest/download/install.sh | bash
#   bash scripts/install.sh --repo OWNER/REPO --version 0.1.0 --dir ~/.local/bin
#
# Options (each also read from the environment variable named beside it):
#   --version V      MOCKBANK_VERSION   the release to install: 0.1.0 (or v0.1.0), or `latest`
#                                       (default: the release this script came with, else latest)
#   --repo O/R       MOCKBANK_REPO      the GitHub repository whose releases to download
#                                       (default: the one this script was released from)
#   --base-url URL   MOCKBANK_BASE_URL  a directory holding SHA256SUMS and the archives,
#                                       used instead of the GitHub release
#   --dir DIR        MOCKBANK_INSTALL_DIR  where `mockbank` goes (default ~/.local/bin)
#   --cache DIR      MOCKBANK_CACHE_DIR    keeps verified archives (DIR/VERSION/); installing
#                                          a cached version again downloads nothing
#   --target T       MOCKBANK_TARGET    the archive to install (default: from uname):
#                                       x86_64-unknown-linux-musl, aarch64-unknown-linux-musl,
#                                       universal-apple-darwin, x86_64-pc-windows-msvc
#   --with-completions  MOCKBANK_WITH_COMPLETIONS=1  also install the shell completions and
#                                       the man pages under ${XDG_DATA_HOME:-~/.local/share}
#   --resolve                           print the version that would be installed, and stop
#
# Downloads: BASE/SHA256SUMS and BASE/mockbank-V-TARGET.tar.gz (.zip on Windows), where BASE
# is the base URL, https://github.com/REPO/releases/download/vV, or for `latest`
# https://github.com/REPO/releases/latest/download (the version is then read from the
# archive name SHA256SUMS lists). Needs curl or wget, tar (unzip on Windows), and sha256sum,
# shasum or openssl. Exits non-zero when a download fails or the archive does not match
# SHA256SUMS (installing nothing), and when the installed binary does not run.
set -euo pipefail

# Stamped into the copy of this script published with a release (the release workflow).
RELEASE_REPO=""
RELEASE_VERSION=""

tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

say() { printf 'mockbank-install: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

usage() {
  sed -n '2,/^set -euo pipefail$/p' "${BASH_SOURCE[0]}" 2>/dev/null | sed -e '$d' -e 's/^# \{0,1\}//' ||
    echo "usage: install.sh [--version V] [--repo OWNER/REPO | --base-url URL] [--dir DIR] [--cache DIR]"
}

# The release target of this machine.
detect_target() {
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$os" in
    Linux)
      case "$arch" in
        x86_64 | amd64) echo x86_64-unknown-linux-musl ;;
        aarch64 | arm64) echo aarch64-unknown-linux-musl ;;
        *) die "no mockbank release for Linux on $arch (there are x86_64 and aarch64 builds); build it from source with cargo install mockbank" ;;
      esac
      ;;
    Darwin) echo universal-apple-darwin ;;
    MINGW* | MSYS* | CYGWIN*)
      case "$arch" in
        x86_64 | amd64) echo x86_64-pc-windows-msvc ;;
        *) die "no mockbank release for Windows on $arch (there is an x86_64 build)" ;;
      esac
      ;;
    *) die "no mockbank release for $os/$arch (there are Linux x86_64/aarch64, macOS and Windows x86_64 builds); build it from source with cargo install mockbank" ;;
  esac
}

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

sha256_of() { # FILE
  local line
  if command -v sha256sum >/dev/null 2>&1; then
    line=$(sha256sum "$1")
  elif command -v shasum >/dev/null 2>&1; then
    line=$(shasum -a 256 "$1")
  elif command -v openssl >/dev/null 2>&1; then
    line=$(openssl dgst -sha256 -r "$1")
  else
    die "no sha256sum, shasum or openssl to check the download with"
  fi
  printf '%s\n' "${line%% *}" | tr 'A-F' 'a-f'
}

# The hash SHA256SUMS gives for NAME (`HASH  NAME` or `HASH *NAME`), lower case; empty when
# it lists no such file.
expected_sha256() { # SUMS NAME
  awk -v want="$2" '{ name = $2; sub(/^\*/, "", name); if (name == want) { print tolower($1); exit } }' "$1"
}

# The archive SHA256SUMS lists for TARGET: `mockbank-VERSION-TARGET.EXT`.
listed_archive() { # SUMS TARGET EXT
  awk -v suffix="-$2.$3" '{
    name = $2; sub(/^\*/, "", name)
    if (index(name, "mockbank-") == 1 && length(name) > length(suffix) + 9 &&
        substr(name, length(name) - length(suffix) + 1) == suffix) { print name; exit }
  }' "$1"
}

is_true() {
  case "$1" in 1 | true | TRUE | True | yes | YES | Yes) return 0 ;; *) return 1 ;; esac
}

main() {
  local version=${MOCKBANK_VERSION:-$RELEASE_VERSION}
  local repo=${MOCKBANK_REPO:-$RELEASE_REPO}
  local base_url=${MOCKBANK_BASE_URL:-}
  local dir=${MOCKBANK_INSTALL_DIR:-${HOME:-}/.local/bin}
  local cache=${MOCKBANK_CACHE_DIR:-}
  local target=${MOCKBANK_TARGET:-}
  local with_completions=0 resolve=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --version | --repo | --base-url | --dir | --cache | --target)
        [ $# -ge 2 ] || die "$1 needs a value"
        case "$1" in
          --version) version=$2 ;;
          --repo) repo=$2 ;;
          --base-url) base_url=$2 ;;
          --dir) dir=$2 ;;
          --cache) cache=$2 ;;
          --target) target=$2 ;;
        esac
        shift 2
        ;;
      --version=*) version=${1#*=}; shift ;;
      --repo=*) repo=${1#*=}; shift ;;
      --base-url=*) base_url=${1#*=}; shift ;;
      --dir=*) dir=${1#*=}; shift ;;
      --cache=*) cache=${1#*=}; shift ;;
      --target=*) target=${1#*=}; shift ;;
      --with-completions) with_completions=1; shift ;;
      --resolve) resolve=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
  done
  if [ "${MOCKBANK_WITH_COMPLETIONS:-}" ] && is_true "$MOCKBANK_WITH_COMPLETIONS"; then
    with_completions=1
  fi

  # What to install.
  version=${version#v}
  [ -n "$version" ] || version=latest
  if [ "$version" != latest ] && ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; then
    die "--version: \`$version\` is not a release version (like 0.1.0) nor \`latest\`"
  fi
  [ -n "$target" ] || target=$(detect_target)
  local ext=tar.gz exe=""
  case "$target" in
    *-windows-*) ext=zip exe=.exe ;;
  esac

  # Where from.
  local base
  if [ -n "$base_url" ]; then
    base=${base_url%/}
  elif [ -n "$repo" ]; then
    [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "--repo: \`$repo\` is not OWNER/REPO"
    if [ "$version" = latest ]; then
      base="https://github.com/$repo/releases/latest/download"
    else
      base="https://github.com/$repo/releases/download/v$version"
    fi
  else
    die "say where to download mockbank from: --repo OWNER/REPO (MOCKBANK_REPO) or --base-url URL (MOCKBANK_BASE_URL)"
  fi

  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mockbank-install.XXXXXX")

  local sums="" archive="" expected="" cached=""
  # A version in the cache is used as it is, without a download.
  if [ -n "$cache" ] && [ "$version" != latest ]; then
    archive="mockbank-$version-$target.$ext"
    if [ -f "$cache/$version/SHA256SUMS" ] && [ -f "$cache/$version/$archive" ]; then
      sums="$cache/$version/SHA256SUMS"
      cached="$cache/$version/$archive"
    fi
  fi
  if [ -z "$sums" ]; then
    sums="$tmp/SHA256SUMS"
    if ! download "$base/SHA256SUMS" "$sums"; then
      if [ "$version" = latest ]; then
        die "no release found: $base/SHA256SUMS could not be downloaded"
      fi
      die "no mockbank $version release found: $base/SHA256SUMS could not be downloaded (is $version released?)"
    fi
  fi
  if [ "$version" = latest ]; then
    archive=$(listed_archive "$sums" "$target" "$ext")
    [ -n "$archive" ] || die "$base/SHA256SUMS lists no mockbank archive for $target"
    version=${archive#mockbank-}
    version=${version%-"$target.$ext"}
  fi
  archive="mockbank-$version-$target.$ext"
  if [ "$resolve" = 1 ]; then
    echo "$version"
    return 0
  fi
  expected=$(expected_sha256 "$sums" "$archive")
  [ -n "$expected" ] || die "mockbank $version has no archive for $target: $base/SHA256SUMS does not list $archive"

  # The archive: from the cache when it still matches, else downloaded.
  if [ -z "$cached" ] && [ -n "$cache" ] && [ -f "$cache/$version/$archive" ]; then
    cached="$cache/$version/$archive"
  fi
  local file=""
  if [ -n "$cached" ]; then
    if [ "$(sha256_of "$cached")" = "$expected" ]; then
      file=$cached
      say "using $archive from the cache ($cache/$version)"
    else
      say "the cached $archive does not match SHA256SUMS: downloading it again"
      rm -f "$cached"
      if [ "$sums" = "$cache/$version/SHA256SUMS" ]; then
        sums="$tmp/SHA256SUMS"
        download "$base/SHA256SUMS" "$sums" || die "$base/SHA256SUMS could not be downloaded"
        expected=$(expected_sha256 "$sums" "$archive")
        [ -n "$expected" ] || die "$base/SHA256SUMS does not list $archive"
      fi
    fi
  fi
  if [ -z "$file" ]; then
    file="$tmp/$archive"
    say "downloading $base/$archive"
    download "$base/$archive" "$file" || die "$base/$archive could not be downloaded"
    local actual
    actual=$(sha256_of "$file")
    if [ "$actual" != "$expected" ]; then
      die "$archive does not match SHA256SUMS (expected sha256 $expected, got $actual): the download is corrupt or was tampered with; nothing was installed"
    fi
    if [ -n "$cache" ]; then
      mkdir -p "$cache/$version"
      cp "$file" "$cache/$version/.$archive.$$" && mv -f "$cache/$version/.$archive.$$" "$cache/$version/$archive"
      if [ "$sums" != "$cache/$version/SHA256SUMS" ]; then
        cp "$sums" "$cache/$version/.SHA256SUMS.$$" && mv -f "$cache/$version/.SHA256SUMS.$$" "$cache/$version/SHA256SUMS"
      fi
    fi
  fi

  # Unpack: one top folder, mockbank-V-TARGET/.
  local unpacked="$tmp/unpacked" top="mockbank-$version-$target"
  mkdir -p "$unpacked"
  if [ "$ext" = zip ]; then
    command -v unzip >/dev/null 2>&1 || die "unzip is needed to unpack $archive"
    unzip -q "$file" -d "$unpacked" || die "$archive could not be unpacked"
  else
    tar -xzf "$file" -C "$unpacked" || die "$archive could not be unpacked"
  fi
  local bin="$unpacked/$top/mockbank$exe"
  [ -f "$bin" ] || die "$archive holds no $top/mockbank$exe"

  # Install: a new file moved over the old one (a running mockbank keeps its copy).
  mkdir -p "$dir" 2>/dev/null || die "cannot create $dir (choose another with --dir)"
  [ -w "$dir" ] || die "cannot write to $dir (choose another with --dir)"
  local dest="$dir/mockbank$exe"
  cp "$bin" "$dir/.mockbank$exe.$$"
  chmod 755 "$dir/.mockbank$exe.$$"
  mv -f "$dir/.mockbank$exe.$$" "$dest"

  if [ "$with_completions" = 1 ]; then
    local share=${XDG_DATA_HOME:-${HOME:-}/.local/share} pair from to page
    for pair in \
      "completions/mockbank.bash:bash-completion/completions/mockbank" \
      "completions/_mockbank:zsh/site-functions/_mockbank" \
      "completions/mockbank.fish:fish/vendor_completions.d/mockbank.fish"; do
      from="$unpacked/$top/${pair%%:*}"
      to="$share/${pair#*:}"
      if [ -f "$from" ]; then
        mkdir -p "$(dirname "$to")"
        cp "$from" "$to"
        say "installed $to"
      else
        say "warning: $archive has no ${pair%%:*}"
      fi
    done
    for page in "$unpacked/$top"/man/*.1; do
      [ -f "$page" ] || continue
      mkdir -p "$share/man/man1"
      cp "$page" "$share/man/man1/"
    done
    say "man pages in $share/man/man1; zsh loads _mockbank when $share/zsh/site-functions is on its fpath"
  fi

  local version_line
  if ! version_line=$("$dest" --version 2>&1); then
    die "installed $dest, but it does not run: $version_line"
  fi
  echo "installed $dest"
  echo "$version_line"
  case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) say "note: $dir is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" ;;
  esac
}

main "$@"
