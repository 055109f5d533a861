#!/usr/bin/env bash
# Install the front-end packages from npm, copy what the pages load into static/vendor and
# bundle the model editor (static/src/modeler) with esbuild. No CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
out=static/vendor/bpmn-js
rm -rf "$out" && mkdir -p "$out"
dist=node_modules/bpmn-js/dist
cp "$dist/bpmn-navigated-viewer.production.min.js" "$out/"
cp "$dist/assets/diagram-js.css" "$dist/assets/bpmn-js.css" "$out/"
cp -r "$dist/assets/bpmn-font" "$out/"

modeler=static/vendor/modeler
rm -rf "$modeler" && mkdir -p "$modeler"
node_modules/.bin/esbuild static/src/modeler/index.js --bundle --minify --sourcemap \
  --format=iife --target=es2019 --loader:.json=json --log-level=warning \
  --outfile="$modeler/modeler.js"
cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css "$modeler/"
cp node_modules/dmn-js/dist/assets/dmn-js-shared.css node_modules/dmn-js/dist/assets/dmn-js-drd.css \
  node_modules/dmn-js/dist/assets/dmn-js-decision-table.css \
  node_modules/dmn-js/dist/assets/dmn-js-decision-table-controls.css \
  node_modules/dmn-js/dist/assets/dmn-js-literal-expression.css \
  node_modules/dmn-js/dist/assets/dmn-js-boxed-expression.css \
  node_modules/dmn-js/dist/assets/dmn-js-boxed-expression-controls.css "$modeler/"
cp -r node_modules/dmn-js/dist/assets/dmn-font "$modeler/"
# pdf.js for the task screen's inline viewer: the legacy build (wider browser support), its
# worker (loaded from this site, as the CSP requires), and the fonts and character maps that
# PDFs without embedded fonts need.
pdfjs=static/vendor/pdfjs
rm -rf "$pdfjs" && mkdir -p "$pdfjs"
cp node_modules/pdfjs-dist/legacy/build/pdf.min.mjs node_modules/pdfjs-dist/legacy/build/pdf.worker.min.mjs "$pdfjs/"
cp -r node_modules/pdfjs-dist/standard_fonts node_modules/pdfjs-dist/cmaps "$pdfjs/"
cp node_modules/pdfjs-dist/LICENSE "$pdfjs/"
echo "assets built into static/vendor"
