#!/usr/bin/env bash
# Install the front-end packages from npm and copy what the pages load into static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
out=static/vendor/bpmn-js
rm -rf "$out" && mkdir -p "$out"
dist=node_modules/bpmn-js/dist
cp "$dist/bpmn-navigated-viewer.production.min.js" "$out/"
cp "$dist/assets/diagram-js.css" "$dist/assets/bpmn-js.css" "$out/"
cp -r "$dist/assets/bpmn-font" "$out/"
echo "assets built into static/vendor"
