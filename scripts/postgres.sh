#!/usr/bin/env bash
# postgres.sh makes a PostgreSQL server reachable for orderflow and prints the
# DATABASE_URL to use as its last line on stdout. Everything else goes to
# stderr.
#
#   scripts/postgres.sh [start]   ensure a server answers, print its URL
#   scripts/postgres.sh stop      stop this repository's private cluster
#
# start: when DATABASE_URL is set and a query through it succeeds, that URL is
# used as it is. Otherwise the script installs PostgreSQL from Debian's
# packages if it is missing and runs a private cluster for this repository:
#
#   listening on 127.0.0.1:54329 only (no Unix socket)
#   superuser orderflow, password orderflow, database orderflow
#   data in .data/postgres of the repository (git-ignored)
#
# As root the cluster runs as the postgres OS user (initdb refuses root). When
# that user cannot reach the repository (a clone under /root, say), the data
# lives in /var/tmp/orderflow-postgres-<hash of the repository path> instead.
#
# Running it again changes nothing and prints the URL; a stopped cluster is
# started again. When another checkout's private cluster already answers on
# that port, the script uses it rather than fail.
set -euo pipefail

readonly PORT=54329
readonly ROLE=orderflow
readonly PASSWORD=orderflow
readonly DATABASE=orderflow
readonly PRIVATE_URL="postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DATABASE}?sslmode=disable"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO
readonly REPO_BASE="${REPO}/.data/postgres"
FALLBACK_BASE="/var/tmp/orderflow-postgres-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
readonly FALLBACK_BASE

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# privileged runs a command as root: directly, or through sudo.
privileged() {
	if is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

APT_UPDATED=false
apt_install() {
	if [ "$APT_UPDATED" = false ]; then
		log "apt-get update"
		privileged env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
		APT_UPDATED=true
	fi
	log "apt-get install $*"
	privileged env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >&2
}

# answers reports whether a query through the URL succeeds.
answers() {
	PGCONNECT_TIMEOUT=5 psql "$1" -XtAq -c 'SELECT 1' >/dev/null 2>&1
}

# server_bindir prints the directory holding initdb, pg_ctl and postgres,
# newest major version first, or fails.
server_bindir() {
	local dir candidates=()
	if command -v pg_config >/dev/null 2>&1; then
		candidates+=("$(pg_config --bindir 2>/dev/null || true)")
	fi
	while IFS= read -r dir; do
		candidates+=("$dir")
	done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn)
	for dir in "${candidates[@]}"; do
		if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
			printf '%s\n' "$dir"
			return 0
		fi
	done
	return 1
}

# as_owner runs a command as the cluster's owner: postgres when we are root,
# ourselves otherwise. It runs from / so that no unreadable working
# directory gets in the way.
as_owner() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# choose_base prints the folder that holds the cluster (data/ and server.log),
# creating it and handing it to the owner.
choose_base() {
	local base
	for base in "$REPO_BASE" "$FALLBACK_BASE"; do
		if [ -f "$base/data/PG_VERSION" ]; then
			printf '%s\n' "$base"
			return 0
		fi
	done
	if ! is_root; then
		mkdir -p "$REPO_BASE"
		printf '%s\n' "$REPO_BASE"
		return 0
	fi
	id postgres >/dev/null 2>&1 || die "the postgres OS user does not exist; is the postgresql package installed?"
	mkdir -p -m 0755 "${REPO}/.data"
	mkdir -p "$REPO_BASE"
	chown postgres:postgres "$REPO_BASE"
	if runuser -u postgres -- test -w "$REPO_BASE"; then
		printf '%s\n' "$REPO_BASE"
		return 0
	fi
	rmdir "$REPO_BASE" 2>/dev/null || true
	log "the postgres user cannot reach ${REPO}; keeping the cluster in ${FALLBACK_BASE}"
	mkdir -p "$FALLBACK_BASE"
	chown postgres:postgres "$FALLBACK_BASE"
	chmod 0700 "$FALLBACK_BASE"
	printf '%s\n' "$FALLBACK_BASE"
}

# settings are the private cluster's tuning for a development and test box.
# fsync and synchronous_commit stay on: benchmarks measure real commits.
settings() {
	cat <<EOF
# Written by scripts/postgres.sh; edits are overwritten.
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
EOF
}

init_cluster() {
	local bindir=$1 base=$2
	log "initdb in ${base}/data"
	printf '%s\n' "$PASSWORD" >"$base/pwfile"
	is_root && chown postgres:postgres "$base/pwfile"
	chmod 0600 "$base/pwfile"
	if ! as_owner "$bindir/initdb" --pgdata="$base/data" --username="$ROLE" --pwfile="$base/pwfile" \
		--auth-host=scram-sha-256 --auth-local=scram-sha-256 --encoding=UTF8 --no-locale >&2; then
		rm -f "$base/pwfile"
		die "initdb failed"
	fi
	rm -f "$base/pwfile"
	as_owner sh -c "printf '\ninclude = '\''orderflow.conf'\''\n' >>'$base/data/postgresql.conf'"
}

# write_settings brings data/orderflow.conf up to date and reports whether it
# changed.
write_settings() {
	local base=$1 conf="$1/data/orderflow.conf"
	if [ -f "$conf" ] && [ "$(cat "$conf")" = "$(settings)" ]; then
		return 1
	fi
	settings | as_owner sh -c "cat >'$conf'"
	return 0
}

running() {
	local bindir=$1 base=$2
	as_owner "$bindir/pg_ctl" status --pgdata="$base/data" >/dev/null 2>&1
}

start_cluster() {
	local bindir=$1 base=$2 action=$3
	log "pg_ctl ${action} (log: ${base}/server.log)"
	if ! as_owner "$bindir/pg_ctl" "$action" --pgdata="$base/data" --log="$base/server.log" --wait --timeout=60 >&2; then
		tail -n 20 "$base/server.log" >&2 || true
		die "PostgreSQL did not start"
	fi
}

ensure_database() {
	local admin="postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/postgres?sslmode=disable"
	local exists
	exists=$(PGCONNECT_TIMEOUT=5 psql "$admin" -XtAq -c "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'") ||
		die "cannot connect to the private cluster on 127.0.0.1:${PORT}"
	if [ "$exists" != 1 ]; then
		log "creating database ${DATABASE}"
		psql "$admin" -XtAq -c "CREATE DATABASE ${DATABASE}" >&2
	fi
}

cmd_start() {
	if [ -n "${DATABASE_URL:-}" ]; then
		command -v psql >/dev/null 2>&1 || apt_install postgresql-client
		if answers "$DATABASE_URL"; then
			log "using DATABASE_URL from the environment"
			printf '%s\n' "$DATABASE_URL"
			return 0
		fi
		log "DATABASE_URL is set but does not answer; using the private cluster instead"
	fi

	local bindir base
	if ! bindir=$(server_bindir) || ! command -v psql >/dev/null 2>&1; then
		apt_install postgresql postgresql-contrib
		bindir=$(server_bindir) || die "PostgreSQL server binaries not found after installing them"
	fi
	base=$(choose_base)

	if [ -f "$base/data/PG_VERSION" ] && running "$bindir" "$base"; then
		if write_settings "$base"; then
			start_cluster "$bindir" "$base" restart
		fi
	elif answers "$PRIVATE_URL"; then
		log "127.0.0.1:${PORT} is served by a cluster not of this checkout (another clone's?); using it"
		printf '%s\n' "$PRIVATE_URL"
		return 0
	else
		[ -f "$base/data/PG_VERSION" ] || init_cluster "$bindir" "$base"
		write_settings "$base" || true
		start_cluster "$bindir" "$base" start
	fi
	ensure_database
	answers "$PRIVATE_URL" || die "the private cluster runs but ${PRIVATE_URL} does not answer"
	printf '%s\n' "$PRIVATE_URL"
}

cmd_stop() {
	local bindir base stopped=false
	bindir=$(server_bindir) || {
		log "PostgreSQL is not installed: nothing to stop"
		return 0
	}
	for base in "$REPO_BASE" "$FALLBACK_BASE"; do
		if [ -f "$base/data/PG_VERSION" ] && running "$bindir" "$base"; then
			log "stopping the cluster in ${base}"
			as_owner "$bindir/pg_ctl" stop --pgdata="$base/data" --mode=fast --wait >&2
			stopped=true
		fi
	done
	[ "$stopped" = true ] || log "no private cluster is running"
}

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop ;;
*) die "usage: $0 [start|stop]" ;;
esac
