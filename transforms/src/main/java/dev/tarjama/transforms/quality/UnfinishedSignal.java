package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code unfinished}: the translation stops mid-sentence. The value is 1 when the source prose's
 * last line ends a sentence ({@code . ! ? … : ;}, possibly followed by a closing quote or
 * bracket), the target's does not (it ends in a letter, digit, combining mark, comma or dash),
 * and the target is under {@value #SHORT} of the expected length (r / r₀) — human translations
 * often drop a final period, but not at that length; else 0. Judged when the source's last line
 * ends a sentence.
 */
public final class UnfinishedSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  static final double SHORT = 0.6;

  private final double r0;

  private UnfinishedSignal(double r0) {
    this.r0 = dev.tarjama.transforms.score.LengthRatio.checkR0(r0);
  }

  public static UnfinishedSignal withR0(double r0) {
    return new UnfinishedSignal(r0);
  }

  @Override
  public SignalSpec spec() {
    return SignalSpec.UNFINISHED;
  }

  @Override
  public Measure measure(QualityInput in) {
    int s = last(in.source());
    if (s < 0 || !endsSentence(in.source())) {
      return Measure.notJudged("the source does not end a sentence");
    }
    int t = last(in.target());
    boolean cut = t < 0 || Prose.isWordChar(t) || ",،;؛-–—(".indexOf(t) >= 0;
    if (cut) {
      int sourceLength = dev.tarjama.transforms.score.LengthRatio.length(in.source());
      double relative = sourceLength == 0 ? 1
          : (double) dev.tarjama.transforms.score.LengthRatio.length(in.target()) / sourceLength
              / r0;
      cut = relative < SHORT;
    }
    return new Measure(cut ? 1 : 0, true, cut ? "ends '…" + tail(in.target()) + "'" : "");
  }

  private static boolean endsSentence(String text) {
    String stripped = text.strip();
    int i = stripped.length();
    while (i > 0 && "\"'”’»)]".indexOf(stripped.charAt(i - 1)) >= 0) {
      i--;
    }
    return i > 0 && ".!?…:;".indexOf(stripped.charAt(i - 1)) >= 0;
  }

  private static int last(String text) {
    String stripped = text.strip();
    return stripped.isEmpty() ? -1 : stripped.codePointBefore(stripped.length());
  }

  private static String tail(String text) {
    String stripped = text.strip();
    return stripped.substring(Math.max(0, stripped.length() - 20));
  }
}
