package dev.tarjama.transforms.evaluate;

import java.util.List;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One segment of an evaluation set: its source and its reference translation(s). {@code index}
 * numbers the segments from 0 (segment {@code index} is line {@code index + 1} of plain-text
 * files); systems' outputs are matched to it by index.
 *
 * @param index the segment's index, from 0
 * @param source the source text
 * @param references the reference translations (at least one)
 */
@DefaultCoder(EvaluationCoders.SegmentCoder.class)
public record EvaluationSegment(long index, String source, List<String> references) {
  public EvaluationSegment {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("segment " + (index + 1) + " has no reference");
    }
    references = List.copyOf(references);
  }

  public static EvaluationSegment of(long index, String source, String reference) {
    return new EvaluationSegment(index, source, List.of(reference));
  }

  @Override
  public String toString() {
    return "EvaluationSegment{" + index + ": " + source + " -> " + references + "}";
  }
}
