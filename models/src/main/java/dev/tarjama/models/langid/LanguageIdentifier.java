package dev.tarjama.models.langid;

import com.github.jfasttext.JFastText;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A fastText language-identification model ({@code lid.176.ftz} / {@code lid.176.bin}, 176
 * languages) run in-process through JFastText's JNI wrapper. {@link #identify} returns the most
 * likely language as the model labels it ({@code en}, {@code ar}, {@code arz}, …, without the
 * {@code __label__} prefix) and its probability.
 *
 * <p>fastText reads one line: line breaks become spaces. Calls are serialized on the instance (the
 * wrapped C++ model keeps per-call scratch state), which costs little: a prediction takes
 * microseconds. Share it through {@link LanguageIdentifiers}, which keeps one per file per JVM
 * while it has users; {@link #close} frees the native model.
 */
public final class LanguageIdentifier implements AutoCloseable {
  private static final String LABEL_PREFIX = "__label__";

  /** One prediction: an ISO 639 code as the model names it, and its probability in [0, 1]. */
  public record Prediction(String language, double probability) {}

  private final Path path;
  private final JFastText model;

  private LanguageIdentifier(Path path, JFastText model) {
    this.path = path;
    this.model = model;
  }

  /**
   * Loads a fastText supervised model file.
   *
   * @throws UncheckedIOException naming the file when it is missing or not a fastText model
   */
  public static LanguageIdentifier load(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new UncheckedIOException(
          "no language-ID model at " + path, new NoSuchFileException(path.toString()));
    }
    JFastText model = new JFastText();
    try {
      model.loadModel(path.toString());
    } catch (RuntimeException e) {
      throw new UncheckedIOException(
          "cannot load the fastText language-ID model " + path + ": " + e.getMessage(),
          new java.io.IOException(e));
    }
    if (model.getNLabels() == 0) {
      throw new UncheckedIOException(
          "the fastText model " + path + " has no labels: not a language-ID model",
          new java.io.IOException("no labels"));
    }
    return new LanguageIdentifier(path, model);
  }

  public Path path() {
    return path;
  }

  /**
   * The most likely language of {@code text}; {@code und} with probability 0 when the text has no
   * letter at all (fastText would guess from punctuation).
   */
  public Prediction identify(String text) {
    String line = text.replace('\r', ' ').replace('\n', ' ').strip();
    if (line.codePoints().noneMatch(Character::isLetter)) {
      return new Prediction("und", 0.0);
    }
    List<JFastText.ProbLabel> top;
    synchronized (this) {
      top = model.predictProba(line, 1);
    }
    if (top == null || top.isEmpty()) {
      return new Prediction("und", 0.0);
    }
    JFastText.ProbLabel best = top.get(0);
    String label = best.label.startsWith(LABEL_PREFIX)
        ? best.label.substring(LABEL_PREFIX.length())
        : best.label;
    // fastText's probabilities come back as logs and may exceed 1 by rounding.
    double p = Math.min(1.0, Math.exp(best.logProb));
    return new Prediction(label.toLowerCase(Locale.ROOT), p);
  }

  /** Frees the native model; predictions after this are an error. */
  @Override
  public synchronized void close() {
    model.unloadModel();
  }
}
