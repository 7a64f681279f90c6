"""Cloud Monitoring as Terraform defines it, held to what the code emits: the log-based metrics are the code's
own list (log_metrics.json, current), their filter and extractors find the fields a measurement's log line
has, and every metric the dashboard charts or an alert watches is one of them or one that Cloud Run or
Pub/Sub report, with labels it has."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from shared.observability.log_metrics import CATALOGUE_FILE, MEASUREMENTS, Measurement, catalogue_json
from shared.observability.logging import configure_logging
from tests.deploy.terraform import MODULES, attribute, resources, unquote

KIROKU = MODULES / "kiroku"
USER_METRICS = "logging.googleapis.com/user/"
# The metrics Google's services report themselves that Kiroku charts or alerts on, with their labels.
BUILT_IN: dict[str, set[str]] = {
    "run.googleapis.com/request_count": {"response_code", "response_code_class", "route"},
    "run.googleapis.com/request_latencies": {"response_code", "response_code_class", "route"},
    "pubsub.googleapis.com/subscription/num_undelivered_messages": set(),
}
RESOURCE_LABELS = {
    "cloud_run_revision": {"service_name", "revision_name", "location", "configuration_name", "project_id"},
    "pubsub_subscription": {"subscription_id", "project_id"},
}


def _labels() -> dict[str, set[str]]:
    """Every metric that may be used, with its labels."""
    emitted = {
        f"{USER_METRICS}{metric.name}": set(measurement.labels)
        for measurement in MEASUREMENTS
        for metric in measurement.metrics
    }
    return {**emitted, **BUILT_IN}


def test_the_log_metrics_file_is_the_codes_list() -> None:
    assert CATALOGUE_FILE.read_text() == catalogue_json(), (
        "terraform/modules/kiroku/log_metrics.json is stale: run python -m shared.observability.log_metrics"
    )


def test_each_log_metric_counts_its_measurements_lines_and_extracts_their_fields() -> None:
    metric = resources(KIROKU)[("google_logging_metric", "kiroku")]
    log_filter = unquote(attribute(metric, "filter"))
    assert 'jsonPayload.measurement=\\"${each.value.measurement}\\"' in log_filter
    assert 'resource.type=\\"cloud_run_revision\\"' in log_filter
    assert "EXTRACT(jsonPayload.${label})" in attribute(metric, "label_extractors")
    assert "EXTRACT(jsonPayload.${each.value.value})" in attribute(metric, "value_extractor")
    assert attribute(metric, "for_each") == "${local.log_metrics}"


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What the functions' structured handler writes, as Cloud Logging would ingest it."""
    stream = io.StringIO()
    configure_logging("kiroku-test", stream=stream)
    try:
        yield stream
    finally:
        configure_logging("kiroku-test")


@pytest.mark.parametrize("measurement", MEASUREMENTS, ids=lambda measurement: measurement.name)
def test_a_measurements_line_holds_every_field_its_metrics_extract(
    measurement: Measurement, logged: io.StringIO
) -> None:
    values = {metric.value for metric in measurement.metrics if metric.value is not None}
    fields: dict[str, Any] = {label: f"{label}-value" for label in measurement.labels}
    fields.update({value: 1.5 for value in values})
    measurement.record("measured %s", "something", **fields)
    [line] = [line for line in map(json.loads, logged.getvalue().splitlines()) if "measurement" in line]
    assert line["measurement"] == measurement.name
    assert line["message"] == "measured something"
    for label in measurement.labels:
        assert line[label] == f"{label}-value"
    for value in values:
        assert line[value] == 1.5


def _filters(value: Any) -> Iterator[str]:
    """Every Cloud Monitoring filter in a parsed dashboard or Terraform block (a log-match condition's
    filter is a log filter: skipped)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "condition_matched_log":
                continue
            if key in ("filter", "denominator_filter", "denominatorFilter") and isinstance(inner, str):
                yield unquote(inner).replace('\\"', '"')
            else:
                yield from _filters(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _filters(inner)


def _charted() -> list[tuple[str, list[str]]]:
    """Each filter of the dashboard with the fields its series are grouped by."""
    dashboard = json.loads((KIROKU / "dashboard.json").read_text())
    charted = []
    for tile in dashboard["mosaicLayout"]["tiles"]:
        for data_set in tile["widget"]["xyChart"]["dataSets"]:
            query = data_set["timeSeriesQuery"]["timeSeriesFilter"]
            charted.append((query["filter"], query["aggregation"].get("groupByFields", [])))
    return charted


def _watched() -> list[str]:
    """Each filter of every alert, with the module's locals they are built from put in."""
    policies = [
        block for (kind, _), block in resources(KIROKU).items() if kind == "google_monitoring_alert_policy"
    ]
    text = (KIROKU / "alerts.tf").read_text()
    user_metric = re.search(r'user_metric\s*=\s*"(.*?)"\n', text)
    assert user_metric is not None
    prefix = user_metric.group(1).replace('\\"', '"')
    locals_block = text[text.index("\nlocals {") : text.index("\n}\n", text.index("\nlocals {"))]
    local_filters = re.findall(r'^\s+(?:filter|denominator)\s+=\s+"(.+)"$', locals_block, flags=re.M)
    found = [*local_filters, *(f for policy in policies for f in _filters(policy))]
    return [
        f.replace('\\"', '"').replace("${local.user_metric}", prefix) for f in found if "each.value" not in f
    ]


def _check(log_filter: str, group_by: list[str], known: dict[str, set[str]]) -> list[str]:
    problems = []
    types = re.findall(r'metric\.type="([^"]+)"', log_filter)
    if len(types) != 1:
        return [f"{log_filter}: names {len(types)} metric types"]
    [metric_type] = types
    if metric_type not in known:
        return [f"{log_filter}: {metric_type} is not a metric the code or Google's services emit"]
    [resource_type] = re.findall(r'resource\.type="([^"]+)"', log_filter) or [""]
    used = re.findall(r"metric\.label\.(\w+)", log_filter) + [
        field.removeprefix("metric.label.") for field in group_by if field.startswith("metric.label.")
    ]
    problems += [f"{metric_type} has no label {label}" for label in used if label not in known[metric_type]]
    resource_labels = re.findall(r"resource\.label\.(\w+)", log_filter) + [
        field.removeprefix("resource.label.") for field in group_by if field.startswith("resource.label.")
    ]
    problems += [
        f"{resource_type} has no label {label}"
        for label in resource_labels
        if label not in RESOURCE_LABELS.get(resource_type, set())
    ]
    return problems


def test_every_metric_the_dashboard_charts_is_emitted_with_the_labels_it_groups_by() -> None:
    known = _labels()
    charted = _charted()
    assert len(charted) >= 10
    problems = [
        problem for log_filter, group_by in charted for problem in _check(log_filter, group_by, known)
    ]
    assert problems == []
    user_metrics = {m for f, _ in charted for m in re.findall(r'user/(\w+)"', f)}
    assert {
        "kiroku_saga_outcomes",
        "kiroku_projection_lag_seconds",
        "kiroku_outbox_age_seconds",
    } <= user_metrics


def test_every_metric_an_alert_watches_is_emitted_with_the_labels_it_filters_by() -> None:
    known = _labels()
    watched = _watched()
    assert len(watched) >= 7, watched
    problems = [problem for log_filter in watched for problem in _check(log_filter, [], known)]
    assert problems == []


def test_the_dead_letter_alert_and_chart_match_the_kept_subscriptions_names() -> None:
    manifest = (MODULES / "manifest" / "main.tf").read_text()
    assert 'dead_letter_subscription = "${name}-dead-letter-kept"' in manifest
    for log_filter in [f for f, _ in _charted()] + _watched():
        if "num_undelivered_messages" in log_filter:
            assert 'monitoring.regex.full_match(".*-dead-letter-kept")' in log_filter


def test_the_alerts_notify_the_configured_channels() -> None:
    for (kind, name), block in resources(KIROKU).items():
        if kind == "google_monitoring_alert_policy":
            assert attribute(block, "notification_channels") == "${var.alert_notification_channels}", name
