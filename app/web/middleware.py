"""Answers the load balancer's health check and Prometheus' scrape first."""

from web.metrics import metrics_view
from web.views import health


class InternalEndpointsMiddleware:
    """Serves /health/ and /metrics before host validation and the HTTPS
    redirect.

    ALB health checks carry the instance's private IP as Host and come over
    plain HTTP, as do scrapes on a pod's address. Listing those addresses in
    ALLOWED_HOSTS would need the IP at start-up (IMDS on EC2, the downward API
    on EKS) and would still leave the redirect to HTTPS, so these two paths,
    which build no URLs from Host, are answered here instead. The Nginx site
    keeps /metrics from the internet.
    """

    routes = {"/health/": health, "/metrics": metrics_view}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is None:
            return self.get_response(request)

        return view(request)
