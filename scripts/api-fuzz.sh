#!/usr/bin/env bash
# Runs the API fuzzer schemathesis (from PyPI) against the reference control plane's served
# OpenAPI document: `ssap-harness serve` on loopback over a temporary database, an org made
# with the operator token, SSAP on, a user and a registered device, then every operation with
# all four credentials in their headers and the `not_a_server_error` check (no 5xx).
#
#   scripts/api-fuzz.sh                 # SSAP_API_FUZZ_EXAMPLES (default 100) examples per operation
#   SSAP_API_FUZZ_EXAMPLES=500 scripts/api-fuzz.sh
#
# Exits non-zero if schemathesis found a server error (or could not run).
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${SSAP_API_FUZZ_EXAMPLES:-100}"
bin="target/release/ssap-harness"
cargo build --release --quiet

if ! command -v schemathesis >/dev/null 2>&1; then
  python3 -m pip install --quiet schemathesis 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages schemathesis
fi
hash -r

work="$(mktemp -d)"
token="api-fuzz-operator-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$bin" serve --listen 127.0.0.1:0 --db "$work/api-fuzz.db" --hash-cost test \
  --operator-token "$token" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve printed no URL" >&2; cat "$work/serve.err" >&2; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
org="$(curl -sf -X POST "$url/api/operator/orgs" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' -d '{"name":"api fuzz"}')"
api_key="$(json api_key <<<"$org")"
connect_key="$(json connect_key <<<"$org")"
curl -sf -X PATCH "$url/api/admin/settings" -H "x-api-key: $api_key" \
  -H 'content-type: application/json' -d '{"macos_ssap":true,"windows_ssap":true}' >/dev/null
curl -sf -X POST "$url/api/admin/users" -H "x-api-key: $api_key" \
  -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.test","username":"fuzz","firstname":"Fuzz","lastname":"User","password":"Fuzz-pw-2024"}' >/dev/null
device="$(curl -sf -X POST "$url/api/device/register" -H "x-connect-key: $connect_key" \
  -H 'content-type: application/json' \
  -d '{"os":"windows","edition":"Pro","architecture":"x86_64","join_state":"workgroup","hostname":"win-fuzz","serial":"SIMFUZZ1","mac":"00:11:22:33:44:55","ip":"10.0.0.9","os_version":"Windows 11 Pro"}')"
device_key="$(json device_credential <<<"$device")"

echo "schemathesis $(schemathesis --version | awk '{print $NF}') against $url/openapi.json, $examples examples per operation"
started=$(date +%s)
status=0
schemathesis run "$url/openapi.json" \
  --checks not_a_server_error \
  --max-examples "$examples" \
  --seed 1 \
  --request-timeout 10 \
  --workers 2 \
  -H "x-api-key: $api_key" \
  -H "x-connect-key: $connect_key" \
  -H "x-device-key: $device_key" \
  -H "authorization: Bearer $token" \
  --report junit --report-junit-path "${SSAP_API_FUZZ_JUNIT:-target/api-fuzz-junit.xml}" || status=$?
echo "api fuzz: $(($(date +%s) - started)) s, schemathesis exit $status"
if grep -qiE 'panicked|thread .* panicked' "$work/serve.err"; then
  echo "the control plane panicked:" >&2
  cat "$work/serve.err" >&2
  status=1
fi
exit "$status"
