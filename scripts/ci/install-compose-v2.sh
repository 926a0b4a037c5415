#!/usr/bin/env bash
# Puts Docker Compose v2 (the plugin binary, run on its own) at .tools/compose/docker-compose, for
# the tests that check docker-compose.yml with docker-compose.scale.yml: the override uses `!reset`,
# which needs Compose 2.24 or newer, and Debian 12 ships only Compose 1.29. Debian 13 (trixie) ships
# 2.26: its package is downloaded through apt (signatures checked against Debian's archive keyring)
# with a source list and state of its own, then unpacked; nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=.tools/compose/docker-compose
if [ -x "$DEST" ] && "$DEST" version >/dev/null 2>&1; then echo "install-compose-v2: $("$DEST" version)"; exit 0; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$WORK/trixie.list"
APT=(-o "Dir::Etc::SourceList=$WORK/trixie.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$WORK/lists" -o "Dir::Cache=$WORK/cache" -o APT::Sandbox::User=root)
apt-get "${APT[@]}" update -qq
(cd "$WORK" && apt-get "${APT[@]}" download -qq docker-compose)
dpkg -x "$WORK"/docker-compose_*.deb "$WORK/unpacked"
mkdir -p "$(dirname "$DEST")"
install -m 0755 "$WORK/unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$DEST"
echo "install-compose-v2: $("$DEST" version)"
