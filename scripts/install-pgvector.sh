#!/usr/bin/env bash
# Build and install the pgvector extension for the local PostgreSQL 15.
#
# Debian bookworm has no pgvector recent enough, so we take the *source*
# package from Debian trixie (a deb-src entry only: no trixie binaries can be
# installed) and build it against PG 15 with PGXS. Idempotent: exits at once
# when vector.so and vector.control are already in place. Runs as root.
set -euo pipefail

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
SRC_LIST=/etc/apt/sources.list.d/trixie-src.list
export DEBIAN_FRONTEND=noninteractive

log() { echo "install-pgvector: $*"; }

installed() {
  [[ -x "$PG_CONFIG" ]] || return 1
  [[ -f "$("$PG_CONFIG" --pkglibdir)/vector.so" ]] &&
    [[ -f "$("$PG_CONFIG" --sharedir)/extension/vector.control" ]]
}

# CREATE EXTENSION in the `test` database when the server is up (trust auth).
verify() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test \
      -c 'CREATE EXTENSION IF NOT EXISTS vector' \
      -c "SELECT 'pgvector ' || extversion FROM pg_extension WHERE extname = 'vector'" -tA |
      sed 's/^/install-pgvector: /'
  else
    log "PostgreSQL not running on 127.0.0.1:5432; skipped CREATE EXTENSION check"
  fi
}

if installed; then
  log "already installed in $("$PG_CONFIG" --pkglibdir)"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "install-pgvector: must run as root" >&2
  exit 1
fi

# Use the same Debian mirror host the machine already uses for bookworm.
mirror=$(grep -hoE '(https?://[^ ]+/debian)/?( |$)' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
  awk '{print $1}' | sed 's:/$::' | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

# deb-src only: apt can fetch trixie sources but never trixie binaries.
line="deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main"
if [[ ! -f "$SRC_LIST" ]] || [[ "$(cat "$SRC_LIST")" != "$line" ]]; then
  log "writing $SRC_LIST: $line"
  echo "$line" >"$SRC_LIST"
fi

log "apt-get update"
apt-get update -qq
# Install only what is missing (leaves already-installed packages untouched).
missing=()
for pkg in postgresql-server-dev-15 build-essential dpkg-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Fetch and unpack the source package in a scratch directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching pgvector source from trixie"
apt-get source -qq pgvector/trixie >/dev/null 2>&1 || apt-get source -q pgvector/trixie
srcdir=$(find . -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n1)
[[ -n "$srcdir" ]] || { echo "install-pgvector: source dir not found" >&2; exit 1; }
cd "$srcdir"

# OPTFLAGS="" avoids -march=native, so the build also runs on other CPUs.
log "building $(basename "$srcdir")"
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null

installed || { echo "install-pgvector: files missing after make install" >&2; exit 1; }
log "installed into $("$PG_CONFIG" --pkglibdir)"
verify
