package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code foreign_letters}: the right script, the wrong language — Persian or Urdu letters in
 * "Arabic". The value is how many letters of the target are in the configured set for the target
 * language ({@link #ARABIC}: پ چ ژ گ ڭ ی ک ے ۀ ە ھ ٹ ڈ ڑ ں ۓ ۆ ێ ڵ ڕ), minus those the
 * source itself holds. Judged when the target has a letter.
 */
public final class ForeignLettersSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  /**
   * Letters of the Arabic script that Arabic does not use: Persian (پ چ ژ گ, Farsi yeh ی, keheh
   * ک), Urdu (ے ۓ ھ ٹ ڈ ڑ ں), heh with yeh ۀ, Kurdish (ە ۆ ێ ڵ ڕ) and ڭ. ڤ (ve) is left out:
   * Arabic writes foreign v with it.
   */
  public static final String ARABIC = "پچژگڭیکےۀەھٹڈڑںۓۆێڵڕ";

  private final String disallowed;

  private ForeignLettersSignal(String disallowed) {
    this.disallowed = Objects.requireNonNull(disallowed);
  }

  /** The letters a language does not use; {@code ar} (the default target) is {@link #ARABIC}. */
  public static ForeignLettersSignal forLanguage(String language) {
    return new ForeignLettersSignal(language.equals("ar") ? ARABIC : "");
  }

  public static ForeignLettersSignal ofLetters(String disallowed) {
    return new ForeignLettersSignal(disallowed);
  }

  @Override
  public SignalSpec spec() {
    return SignalSpec.FOREIGN_LETTERS;
  }

  @Override
  public Measure measure(QualityInput in) {
    if (Prose.letters(in.target()) == 0) {
      return Measure.notJudged("no letters");
    }
    Map<Integer, Integer> found = count(in.target());
    Map<Integer, Integer> inSource = count(in.source());
    int bad = 0;
    StringBuilder letters = new StringBuilder();
    for (Map.Entry<Integer, Integer> e : found.entrySet()) {
      int extra = e.getValue() - inSource.getOrDefault(e.getKey(), 0);
      if (extra > 0) {
        bad += extra;
        letters.appendCodePoint(e.getKey());
      }
    }
    return new Measure(bad, true, bad == 0 ? "" : bad + " letters " + letters + " (U+"
        + letters.codePoints().mapToObj(cp -> String.format("%04X", cp))
            .reduce((a, b) -> a + " U+" + b).orElse("") + ")");
  }

  private Map<Integer, Integer> count(String text) {
    Map<Integer, Integer> m = new TreeMap<>();
    text.codePoints().filter(cp -> disallowed.indexOf(cp) >= 0).forEach(cp -> m.merge(cp, 1,
        Integer::sum));
    return m;
  }
}
