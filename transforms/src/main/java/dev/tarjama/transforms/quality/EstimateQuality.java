package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;

/**
 * Estimate quality: the stage between reassembly and scoring that measures every valid candidate
 * with the run's {@link QualitySignal}s ({@link QualityEstimator}) and stores the measures on it
 * ({@code Candidate.quality}); ranking then gates and weighs them by {@link QualityPolicy}.
 *
 * <p>Input: reassembled {@link Candidate}s. Output: the same candidates, one each; valid ones carry
 * a measure per signal, invalid ones pass through unchanged (they cannot win anyway).
 *
 * <p>Failure modes: none per element. A signal that throws on a candidate leaves a not-judged
 * measure naming the error and counts {@code quality.signal_errors}; the candidate goes on.
 *
 * <p>Metrics ({@code tarjama}): counters {@code quality.candidates} (measured), {@code
 * quality.failed.<signal>} (candidates failing that signal's gate under the policy), {@code
 * quality.gated} (candidates failing at least one gate), {@code quality.signal_errors}.
 */
public final class EstimateQuality
    extends PTransform<PCollection<Candidate>, PCollection<Candidate>> {
  private static final String NS = "tarjama";

  private final QualityEstimator estimator;
  private final QualityPolicy policy;

  private EstimateQuality(QualityEstimator estimator, QualityPolicy policy) {
    this.estimator = Objects.requireNonNull(estimator);
    this.policy = Objects.requireNonNull(policy);
  }

  /** Measures with {@code estimator}; counts gate failures under the default policy. */
  public static EstimateQuality with(QualityEstimator estimator) {
    return new EstimateQuality(estimator, QualityPolicy.defaults());
  }

  /** Counts gate failures under {@code policy} (pass the ranking's). */
  public EstimateQuality withPolicy(QualityPolicy policy) {
    return new EstimateQuality(estimator, policy);
  }

  public QualityEstimator estimator() {
    return estimator;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    List<String> names = new ArrayList<>();
    estimator.signals().forEach(s -> names.add(s.name()));
    builder.add(DisplayData.item("signals", String.join(",", names)).withLabel("Quality signals"));
    builder.add(DisplayData.item("policy", policyText(policy))
        .withLabel("Quality gates (--policy entries)"));
  }

  /** The quality entries of a {@code --policy} spec that give {@code policy}, or "defaults". */
  static String policyText(QualityPolicy policy) {
    List<String> entries = policy.toSpecEntries();
    return entries.isEmpty() ? "defaults" : String.join(",", entries);
  }

  @Override
  public PCollection<Candidate> expand(PCollection<Candidate> candidates) {
    return candidates
        .apply("MeasureSignals", ParDo.of(new EstimateFn(estimator, policy)))
        .setCoder(candidates.getCoder());
  }

  private static final class EstimateFn extends DoFn<Candidate, Candidate> {
    private final QualityEstimator estimator;
    private final QualityPolicy policy;
    private final Counter measured = Metrics.counter(NS, "quality.candidates");
    private final Counter gated = Metrics.counter(NS, "quality.gated");
    private final Counter errors = Metrics.counter(NS, "quality.signal_errors");

    EstimateFn(QualityEstimator estimator, QualityPolicy policy) {
      this.estimator = estimator;
      this.policy = policy;
    }

    @Setup
    public void setup() {
      estimator.open();
    }

    @Teardown
    public void teardown() {
      estimator.close();
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<Candidate> out) {
      Candidate e = estimator.estimate(c);
      if (e.valid()) {
        measured.inc();
        e.quality().asMap().values().stream()
            .filter(m -> m.detail().startsWith("signal failed: ")).forEach(m -> errors.inc());
        java.util.List<String> failures = policy.gateFailures(e);
        if (!failures.isEmpty()) {
          gated.inc();
        }
        for (String f : failures) {
          int paren = f.indexOf(" (");
          Metrics.counter(NS, "quality.failed." + (paren < 0 ? f : f.substring(0, paren))).inc();
        }
      }
      out.output(e);
    }
  }
}
