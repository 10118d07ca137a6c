package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code untranslated_run}: a stretch left in English inside a long translation (one chunk of
 * many, the second half), which a share over the whole candidate dilutes. The value is the
 * longest run of consecutive copied target words ({@link CopiedWords}; names between them neither
 * break nor lengthen a run). Judged when the source has a translatable word.
 */
public final class UntranslatedRunSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  @Override
  public SignalSpec spec() {
    return SignalSpec.UNTRANSLATED_RUN;
  }

  @Override
  public Measure measure(QualityInput in) {
    CopiedWords c = CopiedWords.of(in);
    if (c.translatable == 0) {
      return Measure.notJudged("no translatable source word");
    }
    return new Measure(c.longestRun, true,
        c.longestRun == 0 ? "" : c.longestRun + " copied words in a row: '" + c.example + "'");
  }
}
