package dev.tarjama.transforms.backend;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The names of every metric about calling a backend, in one place: a translation backend's
 * counters are {@code translate/LABEL/METRIC} (e.g. {@code translate/SFT_Gemma3_ranked/api_calls};
 * a local backend's inference metrics share the prefix), the judge's {@code judge/METRIC}; all in
 * the namespace {@value #NAMESPACE}. The report reads them back by these names.
 */
public final class BackendMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String NAMESPACE = "tarjama";

  private final String prefix;

  private BackendMetrics(String prefix) {
    this.prefix = prefix;
  }

  /** The metrics of the translation backend labelled {@code label}. */
  public static BackendMetrics translation(String label) {
    return new BackendMetrics("translate/" + label + "/");
  }

  /** The metrics of the judge ({@code tarjama judge} and the quality judge share them). */
  public static BackendMetrics judge() {
    return new BackendMetrics("judge/");
  }

  /** What every name starts with, e.g. {@code translate/SFT_Gemma3_ranked/}. */
  public String prefix() {
    return prefix;
  }

  /** The full name of {@code metric}. */
  public String name(String metric) {
    return prefix + metric;
  }

  public Counter counter(String metric) {
    return Metrics.counter(NAMESPACE, name(metric));
  }

  public Distribution distribution(String metric) {
    return Metrics.distribution(NAMESPACE, name(metric));
  }
}
