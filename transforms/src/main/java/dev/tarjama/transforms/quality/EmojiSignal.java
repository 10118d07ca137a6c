package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;

/**
 * {@code emoji}: emoji survive. The value is the source's emoji minus the target's, when
 * positive; an emoji is a code point in U+1F000–U+1FAFF, U+2600–U+27BF or U+2B00–U+2BFF
 * (pictographs, symbols and dingbats; Java 17 has no Character.isEmoji). Judged when the source has an emoji. Once emoji are protected
 * spans, the prose has none and the signal is not judged; validation then checks them.
 */
public final class EmojiSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  @Override
  public SignalSpec spec() {
    return SignalSpec.EMOJI;
  }

  static boolean isEmoji(int cp) {
    return cp >= 0x1F000 && cp <= 0x1FAFF || cp >= 0x2600 && cp <= 0x27BF
        || cp >= 0x2B00 && cp <= 0x2BFF;
  }

  @Override
  public Measure measure(QualityInput in) {
    long source = in.source().codePoints().filter(EmojiSignal::isEmoji).count();
    if (source == 0) {
      return Measure.notJudged("no emoji in the source");
    }
    long target = in.target().codePoints().filter(EmojiSignal::isEmoji).count();
    long missing = Math.max(0, source - target);
    return new Measure(missing, true, missing == 0 ? "" : missing + " of " + source + " emoji missing");
  }
}
