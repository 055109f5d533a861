#!/usr/bin/env bash
# Start the whole system with demo data: Redis, the three simulators, RQ worker, scheduler, web.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
BIN=.venv/bin
export APP_ENV=${APP_ENV:-development}
export LOG_FORMAT=${LOG_FORMAT:-json}
# This installation's random secrets (var/secrets/, created once, owner-only), for every
# process below; a value already in the environment wins.
secret_exports=$($BIN/python -m app.installation)
eval "$secret_exports"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export PORTAL_URL=${PORTAL_URL:-http://127.0.0.1:5101}
export WAREHOUSE_URL=${WAREHOUSE_URL:-http://127.0.0.1:5102}
export NATIONAL_DB_URL=${NATIONAL_DB_URL:-http://127.0.0.1:5103}
export SMS_GATEWAY_URL=${SMS_GATEWAY_URL:-http://127.0.0.1:5104}
export SECTOR_DB_DKKD_URL=${SECTOR_DB_DKKD_URL:-http://127.0.0.1:5105}
export E_AUTHENTICATION_URL=${E_AUTHENTICATION_URL:-http://127.0.0.1:5106}
export MAIL_SERVER=${MAIL_SERVER:-127.0.0.1:2525}
# Prometheus multiprocess mode: web, worker and scheduler processes of this machine write
# their metrics here and the web's /metrics adds them up; emptied at each start.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-var/metrics}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  redis-server --port 6379 --bind 127.0.0.1 --dir var --save "" --appendonly no \
    >var/log/redis.log 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

$BIN/flask --app app db-upgrade
$BIN/flask --app app seed-demo | tee var/log/demo-logins.txt
$BIN/flask --app app init-pki

SYSTEM_URL=http://127.0.0.1:5000 $BIN/python -m app.integrations.simulators portal --host 127.0.0.1 --port 5101 >var/log/portal.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators warehouse --host 127.0.0.1 --port 5102 >var/log/warehouse.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators national --host 127.0.0.1 --port 5103 >var/log/national.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators sms --host 127.0.0.1 --port 5104 >var/log/sms.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators business_registry --host 127.0.0.1 --port 5105 >var/log/business_registry.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators e_authentication --host 127.0.0.1 --port 5106 >var/log/e_authentication.log 2>&1 &
pids+=($!)
$BIN/python -m app.integrations.simulators.smtp_sink --port 2525 --dir var/mail >var/log/smtp.log 2>&1 &
pids+=($!)
$BIN/python -m worker work >var/log/worker.log 2>&1 &
pids+=($!)
$BIN/python -m worker scheduler >var/log/scheduler.log 2>&1 &
pids+=($!)
# No gunicorn access log: the application logs one JSON event per request itself (route pattern,
# status, time, request id; no query string, which may carry a citizen's name or ID number).
$BIN/gunicorn -c scripts/gunicorn.conf.py --workers 2 --bind 127.0.0.1:5000 \
  'app:create_app()' >var/log/web.log 2>&1 &
pids+=($!)

echo
echo "HTTT GQTTHC đang chạy / is running:  http://127.0.0.1:5000"
echo "  Cổng DVCQG (mô phỏng / simulator): $PORTAL_URL"
echo "  Kho DL (mô phỏng / simulator):     $WAREHOUSE_URL"
echo "  CSDL quốc gia (mô phỏng / simulator): $NATIONAL_DB_URL"
echo "  CSDL đăng ký doanh nghiệp (mô phỏng / simulator): $SECTOR_DB_DKKD_URL/_sim/received"
echo "  Xác thực điện tử của cơ quan quản lý (mô phỏng / simulator): $E_AUTHENTICATION_URL/_sim/received"
echo "  SMS (mô phỏng / simulator): $SMS_GATEWAY_URL/_sim/received; thư điện tử: var/mail/*.eml"
echo "  Công dân / citizens: http://127.0.0.1:5000/citizen/ (đăng nhập qua Cổng DVCQG mô phỏng)"
echo "  Nhật ký / logs: var/log/   —  Ctrl-C để dừng / to stop"
wait -n "${pids[@]}"
echo "a service stopped; see var/log/" >&2
exit 1
