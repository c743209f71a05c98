#!/usr/bin/env bash
# A throw-away S3 endpoint for trying media on object storage locally (`make s3`).
#
# moto's server mode speaks the S3 protocol and keeps everything in memory: the
# bucket and its files are gone when this stops. Start `make run` in another
# terminal with the variables printed below.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-.venv/bin/python}
port=${S3_PORT:-9000}
bucket=${S3_BUCKET:-clocher-media}
endpoint="http://127.0.0.1:$port"

"$python" -m moto.server --host 127.0.0.1 --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true' INT TERM EXIT

"$python" - "$endpoint" "$bucket" <<'PY'
import json
import sys
import time

import boto3
from botocore.exceptions import EndpointConnectionError

endpoint, bucket = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="clocher", aws_secret_access_key="clocher-secret")
for _ in range(100):
    try:
        s3.list_buckets()
        break
    except EndpointConnectionError:
        time.sleep(0.1)
s3.create_bucket(Bucket=bucket)
# Media URLs are unsigned (MEDIA_S3_QUERYSTRING_AUTH=false): anyone may read objects.
s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{bucket}/*"}],
}))
PY

cat <<ENV

  S3 endpoint ready on $endpoint (bucket $bucket, in memory). Use it with:

    export MEDIA_S3_BUCKET=$bucket MEDIA_S3_ENDPOINT_URL=$endpoint MEDIA_S3_REGION=us-east-1 \\
           MEDIA_S3_ACCESS_KEY_ID=clocher MEDIA_S3_SECRET_ACCESS_KEY=clocher-secret
    make run

ENV
wait "$server"
