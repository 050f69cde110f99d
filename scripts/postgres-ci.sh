#!/usr/bin/env bash
# The control plane on PostgreSQL, end to end (run by .ci/run; runs alone too, from the repo root):
#   1. a throwaway PostgreSQL server on loopback that takes TCP only over TLS (scripts/postgres.sh
#      start --tls: its own CA and server certificate, made with openssl; installs Debian's
#      package when missing and root); every connection below checks the server's certificate
#      against that CA and its name (sslmode=verify-full&sslrootcert=... in the URL);
#   2. the control plane's HTTP test suite with that database (SSAP_TEST_DATABASE), including
#      two servers racing provisions over it;
#   3. two `ssap-harness serve` processes sharing the database, as behind a load balancer:
#      the whole suite through the first, @smoke through the second;
#   4. the database drops both servers' connections (pg_terminate_backend): @smoke again
#      through both, which must reconnect without failing a request;
#   5. one fleet split in two shards, one per server, in one shared org: 0 duplicates and
#      0 half-made accounts, checked by each shard against its server.
# Reports go to target/reports-postgres-{a,b}; server logs to the temporary folder, printed on
# failure. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

FLEET_DEVICES="${FLEET_DEVICES:-2000}"
step() { printf '\n--- %s ---\n' "$*"; }

work="$(mktemp -d)"
# A folder of its own: postgres.sh hands it to the postgres user when run as root.
pg="$(mktemp -d)"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "$work"/serve-*.err; do
      [ -f "$log" ] || continue
      echo "--- $log (last 40 lines) ---" >&2
      tail -n 40 "$log" >&2
    done
  fi
  scripts/postgres.sh stop "$pg" || true
  rm -rf "$work" "$pg"
  exit "$status"
}
trap cleanup EXIT

step "PostgreSQL on loopback, TLS only (verify-full against its throwaway CA)"
url="$(scripts/postgres.sh start --tls "$pg")"
# The URL holds a password: it travels in the environment only, never on a command line.
export SSAP_TEST_DATABASE="$url" SSAP_DATABASE="$url"

step "control-plane HTTP tests on PostgreSQL over TLS (two servers racing, the shared throttle, TLS refusals; 100,000 fuzzed requests)"
# --workspace, as .ci/run's test step: the same feature set, so nothing is compiled again.
SSAP_FUZZ_CASES=100000 cargo test --workspace --release --test http

step "two serve processes sharing the database"
cargo build --release
bin=target/release/ssap-harness
SSAP_OPERATOR_TOKEN="ci-operator-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export SSAP_OPERATOR_TOKEN

# Starts one server on a free port and sets SERVED_URL to its URL (the first stdout line).
serve() {
  local name="$1" out="$work/serve-$1.out" line=""
  "$bin" serve --listen 127.0.0.1:0 --hash-cost test --virtual-clock >"$out" 2>"$work/serve-$name.err" &
  pids+=("$!")
  for _ in $(seq 1 100); do
    line="$(head -n 1 "$out" 2>/dev/null || true)"
    [ -n "$line" ] && break
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "serve $name exited before listening:" >&2
      cat "$work/serve-$name.err" >&2
      return 1
    fi
    sleep 0.1
  done
  [ -n "$line" ] || { echo "serve $name printed no URL in 10 s" >&2; return 1; }
  echo "serve $name: $line"
  SERVED_URL="$(grep -o 'http://[^ ]*' <<<"$line")"
}
serve a
url_a="$SERVED_URL"
serve b
url_b="$SERVED_URL"

step "the whole suite through server A"
"$bin" run --control-plane "$url_a" --quiet --report-dir target/reports-postgres-a

step "@smoke through server B"
"$bin" run --control-plane "$url_b" --tags @smoke --quiet --report-dir target/reports-postgres-b

step "the database drops both servers' connections; both reconnect and @smoke passes again"
psql "$url" -Atq -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
"$bin" run --control-plane "$url_a" --tags @smoke --quiet --report-dir target/reports-postgres-a-reconnect
"$bin" run --control-plane "$url_b" --tags @smoke --quiet --report-dir target/reports-postgres-b-reconnect
grep -h "reconnecting" "$work"/serve-*.err

step "one fleet of $FLEET_DEVICES devices, shard 1/2 through A and 2/2 through B, one org"
# The org is created through A's operator API; both shards then run in it.
keys="$(python3 - "$url_a" <<'PY'
import json, os, sys, urllib.request
req = urllib.request.Request(
    sys.argv[1] + "/api/operator/orgs",
    data=json.dumps({"name": "ci fleet on PostgreSQL"}).encode(),
    headers={"Authorization": "Bearer " + os.environ["SSAP_OPERATOR_TOKEN"],
             "Content-Type": "application/json"},
    method="POST")
org = json.load(urllib.request.urlopen(req, timeout=30))
print(org["api_key"], org["connect_key"])
PY
)"
read -r SSAP_ORG_API_KEY SSAP_ORG_CONNECT_KEY <<<"$keys"
export SSAP_ORG_API_KEY SSAP_ORG_CONNECT_KEY
"$bin" fleet --devices "$FLEET_DEVICES" --shard 1/2 --control-plane "$url_a" --json --report-dir "$work/fleet-a" >"$work/fleet-a.out" &
fleet_a=$!
"$bin" fleet --devices "$FLEET_DEVICES" --shard 2/2 --control-plane "$url_b" --json --report-dir "$work/fleet-b" >"$work/fleet-b.out" &
fleet_b=$!
status=0
wait "$fleet_a" || status=1
wait "$fleet_b" || status=1
for shard in a b; do
  tail -n 1 "$work/fleet-$shard.out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("shard %s via %s: %d devices, %d provisioned, %d duplicates, %d half-made, %.1f s, %.0f provisions/s"
      % (s["shard"], s["control_plane"], s["devices"], s["provisioned"], s["duplicates"],
         s["half_made"], s["seconds"], s["provisions_per_sec"]))
sys.exit(0 if s["duplicates"] == 0 and s["half_made"] == 0 and s["provisioned"] == s["devices"] else 1)
' || status=1
done
[ "$status" = 0 ] || { echo "the sharded fleet on PostgreSQL failed" >&2; exit 1; }
echo "PostgreSQL backend: all checks passed"
