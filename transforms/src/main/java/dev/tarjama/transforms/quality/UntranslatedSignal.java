package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code untranslated}: an English copy, or prose left partly in English. The value is copied
 * words ÷ translatable source words ({@link CopiedWords}). Judged when the source has at least
 * {@value #MIN_WORDS} translatable words.
 */
public final class UntranslatedSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  static final int MIN_WORDS = 2;

  @Override
  public SignalSpec spec() {
    return SignalSpec.UNTRANSLATED;
  }

  @Override
  public Measure measure(QualityInput in) {
    CopiedWords c = CopiedWords.of(in);
    if (c.translatable < MIN_WORDS) {
      return Measure.notJudged("fewer than " + MIN_WORDS + " translatable source words");
    }
    double share = Math.min(1.0, (double) c.copied / c.translatable);
    return new Measure(share, true, c.copied == 0 ? ""
        : c.copied + " of " + c.translatable + " source words copied, e.g. '" + c.example + "'");
  }
}
