#!/bin/sh
# Installs the locked dependencies when they are missing or older than package-lock.json.
# Runs on whatever Node the machine has: the npm scripts after it run on the `node` package it installs.
set -e
# A node_modules linked from another checkout (git worktrees sharing one install) belongs to that
# checkout: `npm ci` here would empty it through the link. Install there, not here.
if [ -L node_modules ]; then
  [ -x node_modules/.bin/wrangler ] || { echo "node_modules links to $(readlink node_modules), which has no install: run npm ci there." >&2; exit 1; }
  exit 0
fi
if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
