# Sourced by .ci/run: installs PostgreSQL if missing, starts a throwaway
# server on a private socket and port, and exports CONCIERGE_TEST_POSTGRES_URL.
# The server is stopped when the calling script exits.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/postgres" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

pg_dir=$(mktemp -d /tmp/concierge-pg.XXXXXX)
pg_port=55432
chown postgres "$pg_dir"
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-k $pg_dir -p $pg_port -c listen_addresses=''" start >/dev/null
trap 'runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null; rm -rf "$pg_dir"' EXIT
runuser -u postgres -- "$pg_bin/createdb" -h "$pg_dir" -p "$pg_port" concierge_test
export CONCIERGE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@/concierge_test?host=$pg_dir&port=$pg_port"
echo "PostgreSQL for the tests: $("$pg_bin/postgres" --version)"
