package dev.tarjama.transforms.evaluate;

import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One segment of an evaluation set: its source and its reference translation(s). {@code index}
 * numbers the segments from 0 (segment {@code index} is line {@code index + 1} of plain-text
 * files); systems' outputs are matched to it by index.
 */
@DefaultCoder(EvaluationCoders.SegmentCoder.class)
public final class EvaluationSegment {
  public final long index;
  public final String source;
  public final List<String> references;

  public EvaluationSegment(long index, String source, List<String> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("segment " + (index + 1) + " has no reference");
    }
    this.index = index;
    this.source = source;
    this.references = List.copyOf(references);
  }

  public static EvaluationSegment of(long index, String source, String reference) {
    return new EvaluationSegment(index, source, List.of(reference));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvaluationSegment s
        && index == s.index
        && source.equals(s.source)
        && references.equals(s.references);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, source, references);
  }

  @Override
  public String toString() {
    return "EvaluationSegment{" + index + ": " + source + " -> " + references + "}";
  }
}
