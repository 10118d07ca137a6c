package dev.tarjama.transforms.testing;

import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.translate.TranslateChunks;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The metrics of a finished pipeline, read back the one way the tests read them: by name in
 * Tarjama's namespace ({@value BackendMetrics#NAMESPACE}, where every transform counts), summed
 * over the steps that report the name; committed values where the runner keeps them, else
 * attempted, as {@code RunCounters} reads them for the reports. Not attempted on the DirectRunner:
 * it applies a bundle's attempted updates on an executor of its own, so right after the run the
 * last few may be missing (a test saw 362 dedupe copies of 365); committed ones are applied as the
 * bundle commits. Public: the pipelines tests use it through the test-jar.
 */
public final class PipelineMetrics {
  private PipelineMetrics() {}

  /** The counter {@code name}, summed over every step that counts it; 0 when none does. */
  public static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c : query(result, name).getCounters()) {
      sum += value(c);
    }
    return sum;
  }

  /** A translation backend's counter {@code metric} ({@link TranslateChunks#metricName}). */
  public static long backendCounter(PipelineResult result, String label, String metric) {
    return counter(result, TranslateChunks.metricName(label, metric));
  }

  /**
   * The distribution {@code name}, merged over every step that reports it (sums and counts added,
   * the least min and the greatest max); {@link DistributionResult#IDENTITY_ELEMENT} (count 0)
   * when none does.
   */
  public static DistributionResult distribution(PipelineResult result, String name) {
    DistributionResult total = DistributionResult.IDENTITY_ELEMENT;
    for (MetricResult<DistributionResult> d : query(result, name).getDistributions()) {
      DistributionResult a = value(d);
      total =
          DistributionResult.create(
              total.getSum() + a.getSum(),
              total.getCount() + a.getCount(),
              Math.min(total.getMin(), a.getMin()),
              Math.max(total.getMax(), a.getMax()));
    }
    return total;
  }

  private static <T> T value(MetricResult<T> metric) {
    try {
      return metric.getCommitted();
    } catch (UnsupportedOperationException e) {
      return metric.getAttempted();
    }
  }

  private static MetricQueryResults query(PipelineResult result, String name) {
    return result
        .metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(BackendMetrics.NAMESPACE, name))
                .build());
  }
}
