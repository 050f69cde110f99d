#!/usr/bin/env bash
# Loads REPORT_DIR/index.html in headless Chromium, saves a screenshot to REPORT_DIR/index.png,
# and fails (exit 1, printing the offending lines) when the page
#   - writes anything to the console: an uncaught exception, console.error, a blocked load
#     ("Refused to ..."). Chromium logs every console message of a web page at INFO whatever its
#     level, so the level cannot be told from the log; the report writes nothing to the console,
#     so any console line is treated as an error;
#   - loads any file besides itself (the report must be one self-contained file);
#   - starts any network request (read from Chromium's NetLog: requests whose top frame is the
#     file:// page, as opposed to Chromium's own background requests).
# No request can leave the machine: every host name resolves to "not found" inside Chromium.
#
# Usage: scripts/check-report-in-browser.sh REPORT_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 REPORT_DIR (a directory holding index.html)" >&2
  exit 2
fi
dir=$1
page="$dir/index.html"
if [ ! -f "$page" ]; then
  echo "FAIL: $page does not exist" >&2
  exit 1
fi

chromium_bin=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium_bin" ]; then
  if command -v chromium >/dev/null 2>&1; then
    chromium_bin=$(command -v chromium)
  else
    echo "FAIL: chromium is not installed (looked for $chromium_bin). Install it with: apt-get install -y chromium" >&2
    exit 1
  fi
fi

abs_dir=$(cd "$dir" && pwd)
url="file://$abs_dir/index.html"
shot="$abs_dir/index.png"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$shot"

status=0
timeout 120 "$chromium_bin" \
  --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --vmodule=file_url_loader_factory=1 \
  --host-resolver-rules="MAP * ~NOTFOUND" \
  --log-net-log="$work/netlog.json" \
  --screenshot="$shot" --window-size=1280,2000 \
  "$url" >"$work/stdout.log" 2>"$work/stderr.log" || status=$?

failures=()
if [ "$status" -ne 0 ]; then
  failures+=("chromium exited with status $status; its log follows:")
  while IFS= read -r line; do failures+=("  $line"); done < <(tail -n 20 "$work/stderr.log")
fi
if [ ! -s "$shot" ]; then
  failures+=("no screenshot was written to $shot")
fi

# Console messages of the page (uncaught exceptions, console.*, CSP refusals).
while IFS= read -r line; do
  failures+=("console: $line")
done < <(grep -E ':CONSOLE[:(]|Uncaught ' "$work/stderr.log" || true)

# Files loaded other than the page itself.
while IFS= read -r line; do
  loaded=${line##*FileURLLoader::Start: }
  if [ "$loaded" != "$url" ]; then
    failures+=("loaded another file (not self-contained): $loaded")
  fi
done < <(grep -F 'FileURLLoader::Start: ' "$work/stderr.log" || true)

# Network requests made on behalf of the page (top frame file://).
if [ -f "$work/netlog.json" ]; then
  while IFS= read -r req; do
    failures+=("network request from the page: $req")
  done < <(grep -F '"network_isolation_key":"file://' "$work/netlog.json" |
    grep -o '"url":"[^"]*"' | sort -u || true)
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "FAIL: $url" >&2
  printf '%s\n' "${failures[@]}" >&2
  exit 1
fi
echo "OK: $url loaded with no console error, no other file and no network request; screenshot: $shot"
