package dev.tarjama.transforms.quality;

import dev.tarjama.models.langid.LanguageIdentifier;
import dev.tarjama.models.langid.LanguageIdentifiers;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.util.Objects;

/**
 * {@code language}: target-side language ID with a fastText model (the data kit's lid.176). The
 * value is the model's probability of its top language when that is not the target language,
 * else 0 (for {@code ar}, Egyptian {@code arz} counts as Arabic too: fastText labels much MSA
 * so). Judged when the target prose has at least {@code minLetters} letters (short prose is
 * too short to judge). The model is shared per JVM ({@link LanguageIdentifiers}): taken by
 * {@link #open} (or the first measure) and given back by {@link #close}.
 */
public final class LanguageSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  public static final int DEFAULT_MIN_LETTERS = 40;

  private final String modelPath;
  private final String language;
  private final int minLetters;
  private transient LanguageIdentifier identifier;

  private LanguageSignal(String modelPath, String language, int minLetters) {
    this.modelPath = Objects.requireNonNull(modelPath);
    this.language = Objects.requireNonNull(language);
    this.minLetters = minLetters;
  }

  public static LanguageSignal of(String modelPath, String language) {
    return new LanguageSignal(modelPath, language, DEFAULT_MIN_LETTERS);
  }

  public LanguageSignal withMinLetters(int minLetters) {
    return new LanguageSignal(modelPath, language, minLetters);
  }

  @Override
  public SignalSpec spec() {
    return SignalSpec.LANGUAGE;
  }

  @Override
  public Measure measure(QualityInput in) {
    String prose = in.target().replaceAll("\\s+", " ").strip();
    if (Prose.letters(prose) < minLetters) {
      return Measure.notJudged("fewer than " + minLetters + " letters");
    }
    LanguageIdentifier.Prediction p = identifier().identify(prose);
    if (p.language().equals(language) || language.equals("ar") && p.language().equals("arz")) {
      return new Measure(0, true, "");
    }
    return new Measure(p.probability(), true, String.format(java.util.Locale.ROOT,
        "identified as %s (p=%.2f)", p.language(), p.probability()));
  }

  @Override
  public synchronized void open() {
    if (identifier == null) {
      identifier = LanguageIdentifiers.acquire(modelPath);
    }
  }

  @Override
  public synchronized void close() {
    if (identifier != null) {
      identifier = null;
      LanguageIdentifiers.release(modelPath);
    }
  }

  private synchronized LanguageIdentifier identifier() {
    open();
    return identifier;
  }
}
