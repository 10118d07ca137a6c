package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code question}: a question stays a question. The value is the source's question marks ({@code
 * ?}) minus the target's ({@code ?}, Arabic {@code ؟}, reversed {@code ⸮}), when positive.
 * Judged when the source has a question mark.
 */
public final class QuestionSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  @Override
  public SignalSpec spec() {
    return SignalSpec.QUESTION;
  }

  @Override
  public Measure measure(QualityInput in) {
    long source = in.source().chars().filter(c -> c == '?' || c == '؟').count();
    if (source == 0) {
      return Measure.notJudged("no question mark in the source");
    }
    long target = in.target().chars().filter(c -> c == '?' || c == '؟' || c == '⸮').count();
    long missing = Math.max(0, source - target);
    return new Measure(missing, true,
        missing == 0 ? "" : missing + " of " + source + " question marks missing");
  }
}
