"""README's metrics table names every metric the code defines, with its labels and where it goes: an
operator reads the table, not the code, to build a query or an alert."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram

from shared.observability import log_metrics, metrics

README = Path(__file__).resolve().parents[3] / "README.md"


def _rows() -> dict[str, list[str]]:
    """The metrics table's rows by metric name: the cells after the name."""
    text = README.read_text()
    table = text[text.index("| Metric | Kind | Labels | Where | What it is |") :].split("\n\n")[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def _labels(cell: str) -> list[str]:
    return [] if cell == "—" else [label.strip().strip("`") for label in cell.split(",")]


def test_every_metric_reported_to_cloud_monitoring_has_its_row() -> None:
    rows = _rows()
    for measurement in log_metrics.MEASUREMENTS:
        for metric in measurement.metrics:
            kind, labels, where, _ = rows.pop(metric.name)
            assert kind.startswith("counter" if metric.value is None else f"distribution of `{metric.value}`")
            assert _labels(labels) == list(measurement.labels), metric.name
            assert where == f"both (`{measurement.name}` lines)", metric.name
    local = {obj._name: obj for obj in vars(metrics).values() if isinstance(obj, Counter | Gauge | Histogram)}
    for name, series in local.items():
        kind, labels, where, _ = rows.pop(name)
        assert (kind, _labels(labels), where) == (series._type, list(series._labelnames), "`/metrics`"), name
    assert rows == {}, "rows of metrics the code does not define"
