#!/usr/bin/env bash
# Runs the API fuzzer schemathesis (from PyPI, pinned below) against the reference control
# plane's served OpenAPI document, with every check and every phase, and holds the server and
# the document to each other in both directions: a request the document calls valid must not
# be refused as malformed, one it calls invalid must be refused, every reply (status, headers,
# body) must be documented, and every credential must be enforced.
#
#   scripts/api-fuzz.sh                      # 100 examples per operation, up to 500 stateful scenarios
#   SSAP_API_FUZZ_EXAMPLES=500 scripts/api-fuzz.sh   # that many for every phase
#
# What it starts: `ssap-harness serve` on loopback over a temporary SQLite file, then two orgs
# made with the operator token (SSAP on for both OSes, a user, a registered Windows device
# each). Both orgs' four credentials go to schemathesis as two identities of a Web Fuzzing
# Commons auth file (scripts/api-fuzz.toml says how they are used).
#
# Checks (`--checks all`): not_a_server_error, status_code_conformance,
# content_type_conformance, response_headers_conformance, response_schema_conformance (every
# refusal's code is an enum of its operation and status), negative_data_rejection,
# positive_data_acceptance, missing_required_header, unsupported_method,
# allow_header_conformance, use_after_free, ensure_resource_availability (create -> read links),
# ignored_auth (each operation's own credential dropped or corrupted must give 401),
# object_level_authorization (org A's reads replayed as org B). None is left off. One has little
# to bite on: use_after_free needs a read of a resource a DELETE removed, and this API reads
# none (associations are listed, not fetched one by one; policies show in the device's
# login-window answer), so it stays on for when one appears. One is narrowed, for one
# operation: positive_data_acceptance also takes 400 from PUT .../policies/windows-ssap, the
# refusal of a Windows policy for a macOS device (a rule between the body and the device that
# no schema can state; documented there). One is made stricter: negative_data_rejection wants
# the refusal of an invalid body before any state is looked at (no 403, 409 or 429). Both are
# in scripts/api-fuzz.toml with their reasons.
# Phases: examples, coverage, fuzzing, stateful (the links between operations are in the
# document: create user -> get/patch/bind/sign in, register -> device operations, bind ->
# unbind, sign in -> provision, ...).
#
# Exits non-zero if schemathesis found a failure or an error (or could not run), or the
# control plane panicked. Writes a JUnit report to SSAP_API_FUZZ_JUNIT (default
# target/api-fuzz-junit.xml).
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis_version="4.32.5"
examples=()
if [ -n "${SSAP_API_FUZZ_EXAMPLES:-}" ]; then
  examples=(--max-examples "$SSAP_API_FUZZ_EXAMPLES")
fi
junit="${SSAP_API_FUZZ_JUNIT:-target/api-fuzz-junit.xml}"
bin="target/release/ssap-harness"
cargo build --release --quiet

# schemathesis in its own virtual environment under target/, at the pinned version, on the
# newest CPython found from 3.12 on (SSAP_API_FUZZ_PYTHON first): on 3.11 (3.11.7 here) a deep
# stack makes `ast.parse` fail with "AST constructor recursion depth mismatch" (CPython
# gh-106905) inside hypothesis, which schemathesis reports as a runtime error of an operation
# now and then; 3.12 counts the C stack apart from Python's.
pick_python() {
  local candidates=("${SSAP_API_FUZZ_PYTHON:-}" python3.13 python3.12)
  local root
  if root="$(pyenv root 2>/dev/null)"; then
    candidates+=($(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV))
  fi
  for p in "${candidates[@]}"; do
    [ -n "$p" ] || continue
    if "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "api-fuzz: no CPython 3.12 or later found; python3 may hit CPython gh-106905 (set SSAP_API_FUZZ_PYTHON)" >&2
  echo python3
}
venv="target/api-fuzz-venv"
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$schemathesis_version" ] ||
  ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  python="$(pick_python)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
schemathesis="$venv/bin/schemathesis"

work="$(mktemp -d)"
token="api-fuzz-operator-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# A test server, with the virtual clock, so GET /api/admin/clock and its advance answer 200
# (a server without one answers 404 there, as documented).
"$bin" serve --listen 127.0.0.1:0 --db "$work/api-fuzz.db" --hash-cost test --virtual-clock \
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

# One org with SSAP on, a user and a registered Windows device; prints its WFC identity.
identity() {
  local name="$1" org api_key connect_key device device_key
  org="$(curl -sf -X POST "$url/api/operator/orgs" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"name\":\"api fuzz $name\"}")"
  api_key="$(json api_key <<<"$org")"
  connect_key="$(json connect_key <<<"$org")"
  curl -sf -X PATCH "$url/api/admin/settings" -H "x-api-key: $api_key" \
    -H 'content-type: application/json' -d '{"macos_ssap":true,"windows_ssap":true}' >/dev/null
  curl -sf -X POST "$url/api/admin/users" -H "x-api-key: $api_key" \
    -H 'content-type: application/json' \
    -d "{\"email\":\"fuzz@$name.test\",\"username\":\"fuzz\",\"firstname\":\"Fuzz\",\"lastname\":\"User\",\"password\":\"Fuzz-pw-2024\"}" >/dev/null
  device="$(curl -sf -X POST "$url/api/device/register" -H "x-connect-key: $connect_key" \
    -H 'content-type: application/json' \
    -d "{\"os\":\"windows\",\"edition\":\"Pro\",\"architecture\":\"x86_64\",\"join_state\":\"workgroup\",\"hostname\":\"win-$name\",\"serial\":\"SIM-$name\",\"mac\":\"00:11:22:33:44:55\",\"ip\":\"10.0.0.9\",\"os_version\":\"Windows 11 Pro\"}")"
  device_key="$(json device_credential <<<"$device")"
  cat <<JSON
    {"name": "$name", "fixedHeaders": [
      {"name": "authorization", "value": "Bearer $token"},
      {"name": "x-api-key", "value": "$api_key"},
      {"name": "x-connect-key", "value": "$connect_key"},
      {"name": "x-device-key", "value": "$device_key"}]}
JSON
}
{
  echo '{"schemaVersion": "0.1.0", "auth": ['
  identity org-a
  echo ','
  identity org-b
  echo ']}'
} >"$work/auth.json"
export SSAP_API_FUZZ_WFC="$work/auth.json"
# hypothesis keeps its caches (character tables, constants) here rather than in the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$work/hypothesis"

echo "schemathesis $("$schemathesis" --version | awk '{print $NF}') ($("$venv/bin/python" --version)) against $url/openapi.json: all checks, all phases, ${SSAP_API_FUZZ_EXAMPLES:-100 (stateful 500)} examples per operation"
started=$(date +%s)
status=0
"$schemathesis" --config-file scripts/api-fuzz.toml run "$url/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  "${examples[@]}" \
  --seed 1 \
  --request-timeout 10 \
  --workers 2 \
  --report junit --report-junit-path "$junit" || status=$?
echo "api fuzz: $(($(date +%s) - started)) s, schemathesis exit $status"
if grep -qiE 'panicked' "$work/serve.err"; then
  echo "the control plane panicked:" >&2
  cat "$work/serve.err" >&2
  status=1
fi
exit "$status"
