package dev.tarjama.pipelines;

import dev.tarjama.transforms.evaluate.SegmentFiles;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code --system=NAME=FILE_OR_BACKEND} of {@code tarjama evaluate}: NAME's translations are
 * either a plain-text file (line i translates source line i) or made by a translator, given in
 * {@code --backend} syntax (recognized by its {@code key=value} pairs, e.g. {@code
 * kind=local,path=DIR} or {@code url=…,model=…}; {@code name=} defaults to NAME). A translator
 * with k &gt; 1 candidates is scored on its first.
 */
final class EvaluationSystem {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final String name;
  private final String file;
  private final BackendSpec backend;
  private List<String> translations;

  private EvaluationSystem(String name, String file, BackendSpec backend) {
    this.name = name;
    this.file = file;
    this.backend = backend;
  }

  static EvaluationSystem parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(
          "--system=" + spec + " is not NAME=FILE or NAME=BACKEND-SPEC");
    }
    String name = spec.substring(0, eq).strip();
    String value = spec.substring(eq + 1).strip();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "system name '" + name + "' must be letters, digits and _.- (it names a file)");
    }
    if (!value.contains("=")) {
      return new EvaluationSystem(name, value, null);
    }
    String backendSpec = value.matches("(?s)(.*,)?\\s*name\\s*=.*") ? value : "name=" + name + "," + value;
    try {
      return new EvaluationSystem(name, null, BackendSpec.parse(backendSpec));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("system " + name + ": " + e.getMessage(), e);
    }
  }

  String name() {
    return name;
  }

  boolean isTranslator() {
    return backend != null;
  }

  BackendSpec backend() {
    return backend;
  }

  /** A file system's translations, read by {@link #readTranslations}. */
  List<String> translations() {
    return translations;
  }

  /** Reads a file system's translations and checks that there is one per source segment. */
  void readTranslations(List<String> sources, String sourcesPath) throws IOException {
    if (file == null) {
      return;
    }
    translations = SegmentFiles.read(file);
    SegmentFiles.requireSameLength("system " + name + "'s file", file, translations,
        "--sources", sourcesPath, sources);
  }
}
