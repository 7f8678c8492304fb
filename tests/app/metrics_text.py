"""Reads the Prometheus text format just enough for the assertions."""

import re

from servers import request

_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][\w:]*)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


def scrape(port: int) -> list[tuple[str, dict, float]]:
    status, _, body = request(port, "/metrics", {"Host": f"127.0.0.1:{port}"})
    assert status == 200, body

    return [sample for line in body.splitlines() if (sample := _parse(line))]


def total(samples, name: str, **labels) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    return sum(
        value
        for sample_name, sample_labels, value in samples
        if sample_name == name and labels.items() <= sample_labels.items()
    )


def names(samples) -> set[str]:
    return {name for name, _, _ in samples}


def _parse(line: str):
    match = _SAMPLE.match(line)
    if line.startswith("#") or match is None:
        return None
    labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"] or ""))

    return match["name"], labels, float(match["value"])
