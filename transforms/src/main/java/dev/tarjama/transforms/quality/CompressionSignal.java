package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.score.TextMemo;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * {@code compression}: a loop that is not back-to-back (a sentence coming round again and
 * again) makes the target compress far better than its source. The value is c(source) ÷
 * c(target), where c = deflated bytes ÷ UTF-8 bytes (deflate level 9, no header); above 1 the
 * target is more repetitive than the source. Judged when both sides have at least {@value
 * #MIN_CODE_POINTS} code points (deflate's overhead dominates shorter texts).
 */
public final class CompressionSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  static final int MIN_CODE_POINTS = 200;

  @Override
  public SignalSpec spec() {
    return SignalSpec.COMPRESSION;
  }

  @Override
  public Measure measure(QualityInput in) {
    String s = RepetitionSignal.squeeze(in.source());
    String t = RepetitionSignal.squeeze(in.target());
    if (s.codePointCount(0, s.length()) < MIN_CODE_POINTS
        || t.codePointCount(0, t.length()) < MIN_CODE_POINTS) {
      return Measure.notJudged("shorter than " + MIN_CODE_POINTS + " code points");
    }
    double ratio = SOURCE_RATIOS.get(s) / ratio(t);
    return new Measure(ratio, true, String.format(java.util.Locale.ROOT,
        "target compresses %.2f× better than the source", ratio));
  }

  /** The source's ratio (squeezed): every candidate of a record has the same source. */
  private static final TextMemo<Double> SOURCE_RATIOS = TextMemo.of(2, CompressionSignal::ratio);

  // A level-9 deflater's state is large to make: one per thread, reset between texts.
  private static final ThreadLocal<Deflater> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater(9, true));

  static double ratio(String text) {
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    deflater.setInput(raw);
    deflater.finish();
    byte[] buf = new byte[raw.length + 64];
    int size = 0;
    while (!deflater.finished()) {
      size += deflater.deflate(buf);
    }
    deflater.reset(); // lets go of the input
    return (double) size / raw.length;
  }
}
