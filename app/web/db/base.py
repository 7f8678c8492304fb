"""PostgreSQL backend with django-prometheus' query metrics and credentials
that may come from Secrets Manager (see web.aws_credentials)."""

import psycopg
from django_prometheus.db.backends.postgresql import base as prometheus_base

from web.aws_credentials import source_for

# SQLSTATE of invalid_password and invalid_authorization_specification.
_AUTHENTICATION_FAILURES = {"28P01", "28000"}
# libpq reports a rejected password at connect time as text only, without a
# SQLSTATE; RDS sends its messages in English.
_AUTHENTICATION_FAILURE_TEXT = "password authentication failed"


class DatabaseWrapper(prometheus_base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        source = source_for(self.settings_dict)
        if source is not None:
            params.update(source.connection_params())

        return params

    def get_new_connection(self, conn_params):
        try:
            return super().get_new_connection(conn_params)
        except psycopg.OperationalError as error:
            source = source_for(self.settings_dict)
            if source is None or not is_authentication_failure(error):
                raise
            # RDS rotated the password after this process cached it: read
            # the secret again and try once more.
            conn_params.update(source.connection_params(refresh_secret=True))

            return super().get_new_connection(conn_params)


def is_authentication_failure(error: psycopg.OperationalError) -> bool:
    return error.sqlstate in _AUTHENTICATION_FAILURES or _AUTHENTICATION_FAILURE_TEXT in str(error)
