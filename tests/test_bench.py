"""The benchmarks' own arithmetic; the benchmarks themselves print figures, never fail on time."""

from bench.common import percentile


def test_a_percentile_is_a_measured_value_by_nearest_rank():
    samples = [float(n) for n in range(100, 0, -1)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile([0.004, 0.002, 0.003], 50) == 0.003
    assert percentile([7.0], 1) == 7.0
