#!/bin/sh
# Installs the locked dependencies when they are missing or older than package-lock.json.
# Runs on whatever Node the machine has: the npm scripts after it run on the `node` package it installs.
set -e
if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
