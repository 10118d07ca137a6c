package dev.tarjama.transforms.domain;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The quality-estimation signals measured on one candidate: signal name → {@link Measure}.
 * Immutable, sorted by name. Whether a measure fails is the ranking policy's call (its thresholds
 * per split), so a finished run can be re-ranked under other gates from its {@code candidates/}.
 */
public final class QualityMeasures implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final QualityMeasures NONE = new QualityMeasures(new TreeMap<>());

  /**
   * One signal's value on a candidate. {@code judged} is false where the prose is too short or
   * has nothing the signal looks at (then the value is 0 and the signal never fails); {@code
   * detail} says what was seen, e.g. {@code "missing 1000; extra 0000013"}.
   */
  public record Measure(double value, boolean judged, String detail) implements Serializable {
    public Measure {
      Objects.requireNonNull(detail);
    }

    public static Measure notJudged(String why) {
      return new Measure(0, false, why);
    }
  }

  private final TreeMap<String, Measure> measures;

  private QualityMeasures(TreeMap<String, Measure> measures) {
    this.measures = measures;
  }

  /** No signal measured (a candidate before the quality stage). */
  public static QualityMeasures none() {
    return NONE;
  }

  public static QualityMeasures of(Map<String, Measure> measures) {
    return measures.isEmpty() ? NONE : new QualityMeasures(new TreeMap<>(measures));
  }

  public QualityMeasures with(String signal, Measure measure) {
    TreeMap<String, Measure> next = new TreeMap<>(measures);
    next.put(Objects.requireNonNull(signal), Objects.requireNonNull(measure));
    return new QualityMeasures(next);
  }

  public SortedMap<String, Measure> asMap() {
    return Collections.unmodifiableSortedMap(measures);
  }

  public Measure get(String signal) {
    return measures.get(signal);
  }

  public boolean isEmpty() {
    return measures.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QualityMeasures q && measures.equals(q.measures);
  }

  @Override
  public int hashCode() {
    return measures.hashCode();
  }

  @Override
  public String toString() {
    return measures.toString();
  }
}
