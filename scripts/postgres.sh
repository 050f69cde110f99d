#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for CI and local runs of the control plane's
# PostgreSQL storage (`ssap-harness serve --db postgres://...`).
#
#   dir="$(mktemp -d)"
#   url="$(scripts/postgres.sh start "$dir")"   # prints postgres://ssap:PASSWORD@127.0.0.1:PORT/ssap
#   ...                                         # use "$url"
#   scripts/postgres.sh stop "$dir"             # then rm -rf "$dir"
#
#   url="$(scripts/postgres.sh start --tls "$dir")"
#     # TLS only: prints ...:PORT/ssap?sslmode=verify-full&sslrootcert=DIR/tls/ca.crt
#
# `start --tls DIR` also makes a throwaway CA and a server certificate signed by it with
# openssl (DIR/tls: ca.crt, ca.key, server.crt, server.key; the server's names are 127.0.0.1,
# ::1 and localhost), turns `ssl = on`, and accepts TCP connections only over TLS (`hostssl`
# in pg_hba.conf), so a client that does not speak TLS is refused. The URL it prints checks the
# server's certificate against that CA and its name (verify-full).
#
# `start DIR` installs Debian's PostgreSQL server if it is missing (apt-get, root only), makes
# a brand-new cluster in DIR/data with that version's own initdb (not the package's cluster,
# not systemd), listening only on 127.0.0.1 on a free TCP port with its unix socket in DIR,
# fsync off, starts it with `pg_ctl -w`, and creates the login role `ssap` (random password,
# may create databases) owning the database `ssap`. The URL is the only line on stdout; the
# rest goes to stderr or to DIR/*.log. Everything the server writes stays under DIR.
# As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root)
# and DIR is handed to that user; otherwise it runs as the current user.
#
# `stop DIR` stops that server (fast shutdown); it is not an error if it is already stopped.
set -euo pipefail

usage() {
  echo "usage: $0 start [--tls] DIR   # new cluster in DIR, prints its postgres:// URL" >&2
  echo "       $0 stop DIR            # stops the server started in DIR" >&2
  exit 2
}

log() { echo "postgres.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# The highest installed server version's bin directory, or nothing.
find_bindir() {
  local initdb
  initdb="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
  if [ -x "$initdb" ]; then dirname "$initdb"; fi
}

install_server() {
  if [ "$(id -u)" != 0 ]; then
    die "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb) and this is not root: install it with: sudo apt-get install -y postgresql"
  fi
  log "installing Debian's postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

# Runs a command as the user that owns the cluster: when we are root, `postgres` (or, for
# stop, whoever owns the data directory).
run_as=postgres
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$run_as" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 12000))
  fi
}

# A CA and a server certificate it signed, in $1 (DIR/tls), for 127.0.0.1, ::1 and localhost.
make_certs() {
  local tls="$1"
  command -v openssl >/dev/null 2>&1 || die "--tls needs openssl (Debian: apt-get install -y openssl)"
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 -keyout ca.key -out ca.crt \
      -subj "/CN=ssap throwaway test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
      -subj "/CN=localhost"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
      -extfile server.ext -out server.crt
    rm -f server.csr server.ext ca.srl
    chmod 600 server.key ca.key
  ) >"$dir/openssl.log" 2>&1 || {
    cat "$dir/openssl.log" >&2
    die "openssl could not make the test certificates (log above)"
  }
}

start() {
  local dir="$1" tls_on="${2:-}" bindir data sock password port started="" attempt query=""
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  data="$dir/data"
  sock="$dir"
  # The socket file is $sock/.s.PGSQL.PORT; unix socket paths are limited to 107 bytes.
  if [ "${#sock}" -gt 80 ]; then
    die "DIR is too long for a unix socket path (${#sock} > 80 characters): $dir"
  fi
  if [ -e "$data" ]; then
    die "$data already exists: start needs a fresh DIR (stop the old server and use a new mktemp -d)"
  fi

  bindir="$(find_bindir)"
  if [ -z "$bindir" ]; then
    install_server
    bindir="$(find_bindir)"
    [ -n "$bindir" ] || die "apt-get installed postgresql but there is still no /usr/lib/postgresql/*/bin/initdb"
  fi

  if [ "$(id -u)" = 0 ]; then
    getent passwd postgres >/dev/null || die "there is no 'postgres' system user to run the server as (Debian's postgresql package creates it)"
    chown -R postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "the postgres user cannot write to $dir (is a parent directory private to root? use mktemp -d under /tmp)"
  fi
  chmod 700 "$dir"
  # initdb and postgres as another user must not start in a directory they cannot enter.
  cd "$dir"
  if [ -n "$tls_on" ]; then
    make_certs "$dir/tls"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir/tls"; fi
  fi

  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  log "initdb ($bindir) in $data"
  if ! as_owner "$bindir/initdb" -D "$data" --no-sync --no-locale --encoding=UTF8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (log above, also in $dir/initdb.log)"
  fi
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# scripts/postgres.sh: a throwaway test server on loopback
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
include = 'port.conf'
EOF
  if [ -n "$tls_on" ]; then
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
ssl = on
ssl_cert_file = '$dir/tls/server.crt'
ssl_key_file = '$dir/tls/server.key'
ssl_min_protocol_version = 'TLSv1.2'
EOF
    # TCP only over TLS; the unix socket (peer auth, used below) stays as it is.
    as_owner sed -i 's/^host\([[:space:]]\)/hostssl\1/' "$data/pg_hba.conf"
    query="?sslmode=verify-full&sslrootcert=$dir/tls/ca.crt"
  fi

  # The port is free when picked but another process may take it before postgres binds it
  # (two starts in parallel, say): then pick another.
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port="$(free_port)"
    echo "port = $port" | as_owner tee "$data/port.conf" >/dev/null
    if as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >&2; then
      started=1
      break
    fi
    log "start on port $port failed (attempt $attempt); the end of $dir/postgres.log:"
    tail -n 5 "$dir/postgres.log" >&2 || true
  done
  [ -n "$started" ] || die "postgres did not start (see $dir/postgres.log)"

  # Superuser over the unix socket (peer auth); the password goes in as a psql variable.
  if ! as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -d postgres \
    -v password="$password" >&2 <<'EOF'; then
CREATE ROLE ssap LOGIN CREATEDB PASSWORD :'password';
CREATE DATABASE ssap OWNER ssap;
EOF
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2 || true
    die "could not create the role and database ssap (server stopped)"
  fi

  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port${tls_on:+ (TLS only, CA $dir/tls/ca.crt)}, data in $data; stop it with: $0 stop $dir"
  echo "postgres://ssap:$password@127.0.0.1:$port/ssap$query"
}

stop() {
  local dir="$1" data bindir
  data="$dir/data"
  if [ ! -f "$data/postmaster.pid" ]; then
    log "no server running in $dir (no $data/postmaster.pid): nothing to stop"
    return 0
  fi
  dir="$(cd "$dir" && pwd)"
  data="$dir/data"
  cd "$dir"
  bindir="$(find_bindir)"
  [ -n "$bindir" ] || die "no /usr/lib/postgresql/*/bin/pg_ctl to stop the server with"
  run_as="$(stat -c %U "$data")"
  if ! as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2; then
    # pg_ctl status exits 3 when no server is running (a stale postmaster.pid).
    local status=0
    as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1 || status=$?
    [ "$status" = 3 ] || die "could not stop the server in $data"
    log "the server in $dir was not running"
  fi
}

case "$#:${1:-}:${2:-}" in
  2:start:?*) start "$2" ;;
  3:start:--tls) [ -n "$3" ] || usage; start "$3" tls ;;
  2:stop:?*) stop "$2" ;;
  *) usage ;;
esac
