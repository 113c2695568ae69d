#!/usr/bin/env bash
# League-table page throughput under gunicorn + PostgreSQL, against a trivial view on the
# same server and the same load (wrk). Issue 5 goal: the league table ≥ 50% of trivial.
#
#   export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_bench_publication
#   export REDIS_URL=redis://127.0.0.1:6379/5      # optional: the cache then lives in Redis
#   benchmarks/publication/throughput.sh            # needs a complete 152-PCT publication
#                                                   # (whole_publication.py or seed_demo makes one)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database with a complete publication}"
PORT="${PORT:-8765}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-8}"
WORKERS="${WORKERS:-2}"
PK=$(uv run python manage.py shell -v0 -c "
from assurance.models import Publication
p = Publication.objects.filter(status='complete').order_by('-pk').first()
print(p.pk if p and p.results.count() >= 152 else '')")
[ -n "$PK" ] || { echo "no complete publication of 152 PCTs in $DATABASE_URL" >&2; exit 1; }

export DEBUG=0 SECRET_KEY=benchmark-only ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 \
  WCC_PLAIN_STATIC=1 AXES_ENABLED=0 LOG_LEVEL=WARNING PYTHONPATH=benchmarks/publication
DJANGO_SETTINGS_MODULE=bench_settings uv run gunicorn wcc.wsgi:application \
  --workers "$WORKERS" --bind "127.0.0.1:$PORT" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/bench/trivial/" >/dev/null && break; sleep 0.2; done

run() {  # run <label> <path>
  curl -fs -o /dev/null "http://127.0.0.1:$PORT$2"  # warm
  local rps
  rps=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT$2" | awk '/Requests\/sec/ {print $2}')
  echo "$1 $rps"
}
TRIVIAL=$(run trivial /bench/trivial/ | awk '{print $2}')
LEAGUE=$(run league "/results/$PK/" | awk '{print $2}')
FILTERED=$(run filtered "${EXTRA_PATH:-/results/$PK/?sha=Q36&sort=mark}" | awk '{print $2}')
python3 - "$TRIVIAL" "$LEAGUE" "$FILTERED" <<'PY'
import sys
trivial, league, filtered = map(float, sys.argv[1:])
print(f"trivial view        {trivial:8.1f} req/s")
print(f"league table (152)  {league:8.1f} req/s  {100 * league / trivial:5.1f}% of trivial (goal ≥ 50%)")
print(f"London, by mark     {filtered:8.1f} req/s  {100 * filtered / trivial:5.1f}% of trivial")
PY
