"""Answers the load balancer's health check and Prometheus' scrape first."""

from django.http import HttpResponseNotFound

from web.metrics import metrics_view, on_metrics_port
from web.views import health


class InternalEndpointsMiddleware:
    """Serves /health/ and /metrics before host validation and the HTTPS
    redirect.

    ALB health checks carry the instance's private IP as Host and come over
    plain HTTP, as do scrapes on a pod's address. Listing those addresses in
    ALLOWED_HOSTS would need the IP at start-up (IMDS on EC2, the downward API
    on EKS) and would still leave the redirect to HTTPS, so these two paths,
    which build no URLs from Host, are answered here instead.

    Who may read /metrics: on EC2 the Nginx site refuses it and scrapes come
    to 127.0.0.1:8000. On EKS nothing stands between the public load balancer
    and the pod's port, so Gunicorn binds a second port (METRICS_PORT) that
    only the cluster reaches; the metrics view then refuses the app's port,
    and the metrics port serves /metrics and nothing else.
    """

    routes = {"/health/": health, "/metrics": metrics_view}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if on_metrics_port(request) and view is not metrics_view:
            return HttpResponseNotFound()
        if view is None:
            return self.get_response(request)

        return view(request)
