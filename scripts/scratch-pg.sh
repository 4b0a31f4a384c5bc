#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the shell (the same setup as engine/scratch_cluster.h):
# private unix socket, trust auth, superuser "postgres", no durability.
#
#   eval "$(scripts/scratch-pg.sh start DIR)"   # DIR must not exist or be empty; prints exports
#                                               # (in a script: exports=$(... start DIR) first,
#                                               # so that a failed start stops `set -e`)
#   psql -c 'select 1'                          # PGHOST/PGPORT/PGUSER point at the cluster
#   scripts/scratch-pg.sh stop DIR              # stops the server and removes DIR
#
# As root, the server runs as the unprivileged OS user $PGDRIFT_PG_OS_USER (default
# pgdrift-test, created if missing): postgres refuses to run as root.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR | stop DIR | status DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$2
os_user=${PGDRIFT_PG_OS_USER:-pgdrift-test}
port=${PGDRIFT_PG_PORT:-5432}

find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
      echo "$d"
      return
    fi
  fi
  for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
      echo "$d"
      return
    fi
  done
  echo "scratch-pg: no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)" >&2
  exit 1
}

as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u "$os_user" -- "$@"; else "$@"; fi
}

start() {
  local bindir
  bindir=$(find_bindir)
  if [[ -e $dir && -n $(ls -A "$dir" 2>/dev/null) ]]; then
    echo "scratch-pg: $dir exists and is not empty" >&2
    exit 1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if (( ${#dir} > 90 )); then
    echo "scratch-pg: $dir is too long for a unix socket path" >&2
    exit 1
  fi
  if [[ $(id -u) == 0 ]]; then
    id "$os_user" >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin "$os_user" 2>/dev/null || true
    id "$os_user" >/dev/null 2>&1 || { echo "scratch-pg: cannot create OS user $os_user" >&2; exit 1; }
    chown "$os_user" "$dir"
    if ! runuser -u "$os_user" -- test -w "$dir"; then
      echo "scratch-pg: OS user $os_user cannot enter $dir (is a parent directory private?)" >&2
      rm -rf "$dir"
      exit 1
    fi
  fi
  chmod 700 "$dir"
  touch "$dir/.pgdrift-scratch"  # marks the directory as ours, so `stop` may remove it

  local locale ok=
  for locale in C.UTF-8 C; do
    rm -rf "$dir/data"
    if (cd "$dir" && as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --locale="$locale" --no-sync --no-instructions) >"$dir/initdb.log" 2>&1; then
      ok=1
      break
    fi
  done
  if [[ -z $ok ]]; then
    tail -n 30 "$dir/initdb.log" >&2
    exit 1
  fi
  cat >>"$dir/data/postgresql.conf" <<EOF

# pgdrift scratch cluster: private socket, no durability
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
full_page_writes = off
synchronous_commit = off
EOF
  if ! (cd "$dir" && as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start) \
      >"$dir/pg_ctl.log" 2>&1; then
    tail -n 30 "$dir/pg_ctl.log" "$dir/server.log" >&2 || true
    exit 1
  fi
  printf 'export PGHOST=%q\nexport PGPORT=%q\nexport PGUSER=postgres\n' "$dir" "$port"
}

stop() {
  if [[ ! -e $dir/.pgdrift-scratch ]]; then
    echo "scratch-pg: $dir is not a scratch cluster directory" >&2
    exit 1
  fi
  dir=$(cd "$dir" && pwd)
  if [[ -f $dir/data/postmaster.pid ]]; then
    local bindir
    bindir=$(find_bindir)
    (cd "$dir" && as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop) >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

status() {
  local bindir
  bindir=$(find_bindir)
  as_pg "$bindir/pg_ctl" -D "$dir/data" status
}

case $command in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
