#!/usr/bin/env bash
# Start a local PostgreSQL for Clocher; safe to run again at any time.
#
# Installs Debian's postgresql package if missing, creates and starts a cluster
# (PostgreSQL refuses to run as root: pg_ctlcluster runs it as the postgres
# user), creates the role and database, waits until they accept connections.
# Progress goes to stderr; stdout gets one line, DATABASE_URL=..., so callers
# can `export "$(scripts/postgres.sh)"`.
set -euo pipefail

db_user=${CLOCHER_PG_USER:-clocher}
db_password=${CLOCHER_PG_PASSWORD:-clocher}
db_name=${CLOCHER_PG_DATABASE:-clocher}
cluster=${CLOCHER_PG_CLUSTER:-main}

say() { echo "postgres.sh: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
    # From / so the postgres user is not bothered by an unreadable working directory.
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres "$@")
    fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    say "installing PostgreSQL (apt-get install postgresql)"
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {found = 1} END {exit !found}'; then
    say "creating cluster $version/$cluster"
    as_root pg_createcluster "$version" "$cluster" >&2
fi

# The socket directory lives in /run, which a fresh container may not have.
as_root install -d -o postgres -g postgres -m 2775 /var/run/postgresql

status=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $4}')
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $3}')
if [ "$status" != "online" ]; then
    say "starting cluster $version/$cluster on port $port"
    as_root pg_ctlcluster "$version" "$cluster" start >&2
fi

for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
    sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$port" >&2

# CREATEDB: pytest-django creates and drops its own test database.
as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -q \
    -v user="$db_user" -v password="$db_password" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password') \gexec
SQL
if [ -z "$(as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" ]; then
    say "creating database $db_name"
    as_postgres createdb -p "$port" -O "$db_user" "$db_name" >&2
fi

url="postgres://$db_user:$db_password@127.0.0.1:$port/$db_name"
PGPASSWORD=$db_password psql "$url" -qtAc "SELECT 1" >/dev/null
say "ready"
echo "DATABASE_URL=$url"
