package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code lines}: the line structure survives (list items, headings and paragraphs are lines; their
 * markers are protected spans, checked by validation). The value is |non-empty target lines −
 * non-empty source lines|. Judged when the source has a non-empty line.
 */
public final class LinesSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  @Override
  public SignalSpec spec() {
    return SignalSpec.LINES;
  }

  @Override
  public Measure measure(QualityInput in) {
    int source = Prose.nonEmptyLines(in.source());
    if (source == 0) {
      return Measure.notJudged("no source line");
    }
    int target = Prose.nonEmptyLines(in.target());
    int diff = Math.abs(target - source);
    return new Measure(diff, true, diff == 0 ? "" : target + " lines for " + source);
  }
}
