#!/bin/bash
set -euo pipefail
# Bootstrap of an application instance: the user data of the compute
# tier's launch template. `npm run render` embeds the files named on the
# "#haven:embed" lines and writes the result into templates/compute.yaml.
# There CloudFormation's Fn::Sub replaces each dollar-brace placeholder
# with the stack's value of that name, so shell variables here go without
# braces (Fn::Sub would leave a dollar, brace and exclamation mark alone).
# Edit this file, never the copy in the template.
#
# Order matters for the load balancer: Nginx, the only thing on port 80,
# starts last, once the migrations have run and Gunicorn answers /health/,
# so an instance passes its health check only when it can serve.
exec > >(tee -a /var/log/haven-bootstrap.log) 2>&1

# The layout the app's deploy files expect.
home=/opt/haven
checkout=$home/src
venv=$home/venv
libexec=/usr/local/lib/haven

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y python3-venv git nginx curl
# The package starts Nginx with its default site, which would answer the
# health check with 404 before the app is ready: keep port 80 closed.
systemctl stop nginx
rm -f /etc/nginx/sites-enabled/default

id haven >/dev/null 2>&1 ||
  useradd --system --home-dir $home --shell /usr/sbin/nologin haven
install -d -o haven -g haven $home $home/static $checkout
install -d -m 0700 /etc/haven
install -d $libexec

# A fetch of the one ref works for branches, tags and commits.
runuser -u haven -- git -C $checkout init --quiet
runuser -u haven -- git -C $checkout fetch --depth 1 \
  '${AppRepository}' '${AppRef}'
runuser -u haven -- git -C $checkout checkout --quiet FETCH_HEAD
ln -sfn "$checkout/${AppDirectory}" $home/app

runuser -u haven -- python3 -m venv $venv
runuser -u haven -- $venv/bin/pip install --quiet --upgrade pip
runuser -u haven -- $venv/bin/pip install --quiet -r $home/app/requirements.txt

# The services' environment, without the database password: the app reads
# the RDS-managed secret itself, so a rotated password needs no change
# here. The region and the private address come from IMDSv2.
$venv/bin/python - <<'PYTHON'
import json
import os
import urllib.request

import boto3

IMDS = "http://169.254.169.254/latest"


def imds(path, method="GET", headers=None):
    request = urllib.request.Request(
        IMDS + path, method=method, headers=headers or {}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


token = imds("/api/token", "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "300"})
header = {"X-aws-ec2-metadata-token": token}
region = imds("/meta-data/placement/region", headers=header)
private_ip = imds("/meta-data/local-ipv4", headers=header)
aws = boto3.Session(region_name=region)

# Read once here so that a wrong parameter name fails the boot.
aws.client("ssm").get_parameter(Name="${DBEndpointParameterName}")
database = aws.client("rds").describe_db_instances(
    DBInstanceIdentifier="${DBInstanceIdentifier}"
)["DBInstances"][0]
secret_key = aws.client("secretsmanager").get_secret_value(
    SecretId="${DjangoSecretKeyName}"
)["SecretString"]

values = {
    "DJANGO_SETTINGS_MODULE": "${DjangoSettingsModule}",
    "DJANGO_SECRET_KEY": secret_key,
    "DJANGO_ALLOWED_HOSTS": "${LoadBalancer.DNSName}," + private_ip,
    "DJANGO_SECURE_SSL_REDIRECT": "${SslRedirect}",
    "DJANGO_STATIC_ROOT": "/opt/haven/static",
    "DB_SECRET_ARN": database["MasterUserSecret"]["SecretArn"],
    "DB_ENDPOINT_PARAMETER": "${DBEndpointParameterName}",
    "DATABASE_NAME": database["DBName"],
    "DATABASE_PORT": str(database["Endpoint"]["Port"]),
    "MEDIA_BUCKET": "${StaticBucketName}",
    "AWS_REGION": region,
    "AWS_DEFAULT_REGION": region,
    "HAVEN_ENVIRONMENT": "${EnvironmentName}",
}
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
with os.fdopen(os.open("/etc/haven/app.env", flags, 0o600), "w") as env:
    for name, value in values.items():
        # JSON quoting is also valid systemd quoting.
        env.write(name + "=" + json.dumps(value) + "\n")
PYTHON

# Static files need neither the database nor S3.
(cd $home/app && runuser -u haven -- env \
  DJANGO_SETTINGS_MODULE=config.settings.build \
  DJANGO_STATIC_ROOT=$home/static \
  $venv/bin/python manage.py collectstatic --noinput)

cat >/etc/systemd/system/gunicorn.service <<'UNIT'
#haven:embed app/deploy/gunicorn.service
UNIT

cat >/etc/nginx/conf.d/haven.conf <<'NGINX'
#haven:embed app/deploy/nginx-site.conf
NGINX
nginx -t

# After a reboot too, Nginx waits for Gunicorn to report itself ready.
install -d /etc/systemd/system/nginx.service.d
cat >/etc/systemd/system/nginx.service.d/haven.conf <<'UNIT'
[Unit]
Wants=gunicorn.service
After=gunicorn.service
UNIT

cat >$libexec/migrate_once.py <<'PYTHON'
#haven:embed app/deploy/migrate_once.py
PYTHON

# Migrations run once across the group: migrate_once.py holds a PostgreSQL
# advisory lock while it migrates, so instances that boot together take
# turns and the later ones find nothing to apply. systemd-run reads the
# environment file exactly as the Gunicorn unit does.
systemd-run --wait --pipe --collect --unit=haven-migrate \
  --property=User=haven --property=EnvironmentFile=/etc/haven/app.env \
  --property=WorkingDirectory=$home/app \
  $venv/bin/python $libexec/migrate_once.py

systemctl daemon-reload
systemctl enable --now gunicorn.service

# Gunicorn's master reports ready before every worker has loaded the app;
# the health check through Nginx must not see a refused connection.
ready=no
for _ in $(seq 1 60); do
  if curl --silent --fail --max-time 5 http://127.0.0.1:8000/health/ >/dev/null; then
    ready=yes
    break
  fi
  sleep 2
done
if [ "$ready" != yes ]; then
  echo 'haven: Gunicorn does not answer /health/: see journalctl -u gunicorn' >&2
  exit 1
fi

systemctl enable nginx.service
systemctl restart nginx.service
echo 'haven: instance ready'
