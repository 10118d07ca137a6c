package dev.tarjama.models.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data kit is, for the models module's tests: the directory named by the system
 * property {@code tarjama.shared} (set by the build for every test run); without it, the
 * repository's sibling {@code shared/} seen from the repository root ({@code ../shared}) or from
 * a module ({@code ../../shared}), whichever is a directory. The tests of transforms and
 * pipelines cannot see this class (the models module has no test-jar) and use
 * {@code dev.tarjama.transforms.testing.DataKit}, which has the same rule: change both together.
 */
public final class DataKit {
  private DataKit() {}

  /** The kit's directory. */
  public static Path root() {
    String property = System.getProperty("tarjama.shared");
    if (property != null) {
      return Path.of(property);
    }
    Path fromModule = Path.of("../../shared");
    return !Files.isDirectory(Path.of("../shared")) && Files.isDirectory(fromModule)
        ? fromModule
        : Path.of("../shared");
  }

  /** The kit's {@code data/}. */
  public static Path data() {
    return root().resolve("data");
  }

  /** {@code relative} under the kit's {@code data/}, e.g. {@code eval/xquad/xquad.en.json}. */
  public static Path data(String relative) {
    return data().resolve(relative);
  }

  /** {@code relative} under the kit's {@code models/}, e.g. {@code tokenizers/qwen3}. */
  public static Path models(String relative) {
    return root().resolve("models").resolve(relative);
  }

  /** fastText's lid.176 language-ID model. */
  public static Path langid() {
    return models("langid/lid.176.ftz");
  }

  /** Tatoeba's English-Arabic pairs (English, Arabic, attribution; tab-separated). */
  public static Path tatoeba() {
    return data("parallel/tatoeba_anki/ara.txt");
  }
}
