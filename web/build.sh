#!/usr/bin/env bash
# Regenerates the committed bundles under src/Leakwatch.Server/wwwroot/assets from web/src and the lockfile.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund --silent
node build.mjs
ls -l ../src/Leakwatch.Server/wwwroot/assets/leakwatch.js ../src/Leakwatch.Server/wwwroot/assets/app.js
