package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.score.LengthRatio;

/**
 * {@code too_short}: a translation that stopped early (with or without {@code finish_reason:
 * length}) or dropped sentences. The value is r / r₀, r = len(target) / len(source) counted as LR
 * counts ({@link LengthRatio#length}); it fails <em>below</em> its threshold. LR itself cannot
 * gate this: it also falls for a target that is too long, and a reference far above r₀ would
 * lose to its own truncation. Judged when the source has at least {@value #MIN_LENGTH} counted
 * code points.
 */
public final class TooShortSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  static final int MIN_LENGTH = 20;

  private final double r0;

  private TooShortSignal(double r0) {
    this.r0 = LengthRatio.checkR0(r0);
  }

  public static TooShortSignal withR0(double r0) {
    return new TooShortSignal(r0);
  }

  @Override
  public SignalSpec spec() {
    return SignalSpec.TOO_SHORT;
  }

  @Override
  public Measure measure(QualityInput in) {
    int source = LengthRatio.length(in.source());
    if (source < MIN_LENGTH) {
      return Measure.notJudged("source shorter than " + MIN_LENGTH);
    }
    double relative = (double) LengthRatio.length(in.target()) / source / r0;
    return new Measure(relative, true,
        String.format(java.util.Locale.ROOT, "%.2f of the expected length", relative));
  }
}
