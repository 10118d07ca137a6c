package dev.tarjama.transforms.report;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * A finished run's counters in the {@code tarjama} namespace, by name: the calls, retries, tokens
 * and cache figures that the reports of every command quote.
 */
public final class RunCounters {
  private RunCounters() {}

  /** Counter values of the run, committed where the runner has them, else attempted. */
  public static Map<String, Long> of(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace("tarjama"))
                    .build());
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      // Steps that run the same DoFn report separately: sum them per name.
      counters.merge(counter.getName().getName(), value, Long::sum);
    }
    return counters;
  }
}
