package dev.tarjama.transforms.evaluate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * Sufficient statistics of a system on some segments: BLEU's and chrF's count vectors, ROUGE-L's
 * {@code [F1 sum, segments]}, how many segments it failed to translate, and the fewest and most
 * references a segment had (for the signatures' {@code nrefs}). Statistics of disjoint segment
 * sets {@link #add add up}; corpus scores are computed from the sum, never averaged.
 *
 * <p>Mutable, as a combiner accumulator is: {@link #add} changes this object and never its
 * argument.
 */
@DefaultCoder(EvaluationCoders.StatisticsCoder.class)
public final class EvaluationStatistics {
  final long[] bleu;
  final long[] chrf;
  final double[] rouge;
  long failed;
  int minReferences;
  int maxReferences;

  EvaluationStatistics(
      long[] bleu, long[] chrf, double[] rouge, long failed, int minReferences, int maxReferences) {
    this.bleu = bleu;
    this.chrf = chrf;
    this.rouge = rouge;
    this.failed = failed;
    this.minReferences = minReferences;
    this.maxReferences = maxReferences;
  }

  /** Nothing yet, sized for these metrics. */
  public static EvaluationStatistics empty(Bleu bleu, ChrF chrf) {
    return new EvaluationStatistics(
        new long[bleu.statisticsLength()], new long[chrf.statisticsLength()], new double[2], 0,
        Integer.MAX_VALUE, 0);
  }

  /** One segment's statistics; {@code failed} says the hypothesis stands in for a failure. */
  public static EvaluationStatistics ofSegment(
      Bleu bleu, ChrF chrf, RougeL rouge, String hypothesis, List<String> references,
      boolean failed) {
    return new EvaluationStatistics(
        bleu.segmentStatistics(hypothesis, references),
        chrf.segmentStatistics(hypothesis, references),
        rouge.segmentStatistics(hypothesis, references),
        failed ? 1 : 0,
        references.size(),
        references.size());
  }

  /** Adds {@code other} into this. */
  public EvaluationStatistics add(EvaluationStatistics other) {
    if (other.bleu.length != bleu.length || other.chrf.length != chrf.length) {
      throw new IllegalArgumentException("statistics of differently configured metrics");
    }
    for (int i = 0; i < bleu.length; i++) {
      bleu[i] += other.bleu[i];
    }
    for (int i = 0; i < chrf.length; i++) {
      chrf[i] += other.chrf[i];
    }
    rouge[0] += other.rouge[0];
    rouge[1] += other.rouge[1];
    failed += other.failed;
    minReferences = Math.min(minReferences, other.minReferences);
    maxReferences = Math.max(maxReferences, other.maxReferences);
    return this;
  }

  public long segments() {
    return (long) rouge[1];
  }

  public long failed() {
    return failed;
  }

  /** sacreBLEU's {@code nrefs}: the count, or {@code var} when segments differ. */
  public String references() {
    return minReferences == maxReferences ? String.valueOf(maxReferences) : "var";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvaluationStatistics s
        && failed == s.failed
        && minReferences == s.minReferences
        && maxReferences == s.maxReferences
        && Arrays.equals(bleu, s.bleu)
        && Arrays.equals(chrf, s.chrf)
        && Arrays.equals(rouge, s.rouge);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(bleu), Arrays.hashCode(chrf), Arrays.hashCode(rouge), failed);
  }

  @Override
  public String toString() {
    return "EvaluationStatistics{bleu=" + Arrays.toString(bleu) + ", chrf=" + Arrays.toString(chrf)
        + ", rouge=" + Arrays.toString(rouge) + ", failed=" + failed + "}";
  }
}
