"""Database user, password and endpoint from AWS, cached per process.

The RDS-managed master secret holds JSON with `username` and `password`;
RDS rotates it on a schedule. The endpoint sits in an SSM parameter as
`host` or `host:port` and changes only with the environment. Both are read
on the first connection; the secret is read again when PostgreSQL rejects
the cached password, which is how a rotation shows itself.
"""

import json
import os
import threading

import boto3
from botocore.config import Config

# Short timeouts and few retries: a connection attempt waits on these.
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})


class AwsDatabaseSource:
    def __init__(self, secret_arn: str, endpoint_parameter: str, default_port: str):
        self.secret_arn = secret_arn
        self.endpoint_parameter = endpoint_parameter
        self.default_port = default_port
        self._lock = threading.Lock()
        self._credentials = None
        self._endpoint = None

    def connection_params(self, refresh_secret: bool = False) -> dict:
        """Returns host, port, user and password for psycopg."""
        with self._lock:
            if self._endpoint is None:
                self._endpoint = self._read_endpoint()
            if self._credentials is None or refresh_secret:
                self._credentials = self._read_secret()

            return {**self._endpoint, **self._credentials}

    def _read_secret(self) -> dict:
        answer = client("secretsmanager", self.region).get_secret_value(SecretId=self.secret_arn)
        secret = json.loads(answer["SecretString"])

        return {"user": secret["username"], "password": secret["password"]}

    def _read_endpoint(self) -> dict:
        answer = client("ssm", self.region).get_parameter(Name=self.endpoint_parameter)
        host, _, port = answer["Parameter"]["Value"].strip().partition(":")

        return {"host": host, "port": port or self.default_port}

    @property
    def region(self) -> str:
        # On EC2 no region variable is set by default; the secret's ARN
        # (arn:PARTITION:secretsmanager:REGION:...) always names one.
        return os.environ.get("AWS_REGION") or self.secret_arn.split(":")[3]


def client(service: str, region: str):
    """Creates an AWS client; tests replace this function."""
    return boto3.client(service, region_name=region, config=_CLIENT_CONFIG)


_sources: dict[tuple, AwsDatabaseSource] = {}
_sources_lock = threading.Lock()


def source_for(settings_dict: dict) -> AwsDatabaseSource | None:
    """Returns the process-wide source of a DATABASES entry, or None when the
    entry carries its credentials itself."""
    secret_arn = settings_dict.get("SECRET_ARN")
    if not secret_arn:
        return None
    key = (secret_arn, settings_dict["ENDPOINT_PARAMETER"], str(settings_dict.get("PORT") or 5432))
    with _sources_lock:
        if key not in _sources:
            _sources[key] = AwsDatabaseSource(*key)

        return _sources[key]
