#!/usr/bin/env bash
# Installs the pgvector extension into the local PostgreSQL when it is missing. Debian 12 ships no
# pgvector package, so it is built from Debian's own source package (trixie) against the server's
# headers. Needs root and apt. Does nothing when the extension is already available.
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-$(ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_CONFIG" ]; then echo "install-pgvector: no PostgreSQL server installed" >&2; exit 1; fi
SHAREDIR=$("$PG_CONFIG" --sharedir)
if [ -f "$SHAREDIR/extension/vector.control" ]; then echo "install-pgvector: already installed"; exit 0; fi
MAJOR=$("$PG_CONFIG" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
if ! grep -rqs '^deb-src .* trixie main' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb-src http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/trixie-src.list
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev "postgresql-server-dev-$MAJOR" >/dev/null
WORK=$(mktemp -d)
cd "$WORK"
apt-get source -qq pgvector >/dev/null 2>&1
cd pgvector-*/
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
rm -rf "$WORK"
echo "install-pgvector: built and installed pgvector for PostgreSQL $MAJOR"
