#!/usr/bin/env bash
# The editor check: every step in features/ resolves to a Rust step definition as the official
# Cucumber extension for VS Code sees it (.vscode/settings.json), using the extension's engine
# @cucumber/language-service from npm (version pinned in scripts/editor-check/package-lock.json).
# Needs Node.js and npm. Exit 1 names each step the editor would underline.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null 2>&1 || { echo "the editor check needs Node.js and npm (Debian: apt-get install -y nodejs npm)" >&2; exit 2; }
if [ ! -d scripts/editor-check/node_modules/@cucumber/language-service ]; then
  npm ci --prefix scripts/editor-check --ignore-scripts --no-audit --no-fund --loglevel=error
fi
node scripts/editor-check/check.cjs .
