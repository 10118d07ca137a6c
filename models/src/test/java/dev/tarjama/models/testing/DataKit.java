package dev.tarjama.models.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data kit is (its {@code data/} and {@code models/}): the one place the tests
 * of every module look it up (transforms and pipelines through models' test-jar). The kit is the directory named
 * by the system property {@code tarjama.shared}, which the build sets for every test run (the
 * repository's sibling {@code shared/}); without it (a test or benchmark started by hand), that
 * sibling seen from the repository root ({@code ../shared}) or from a module
 * ({@code ../../shared}), whichever is a directory.
 *
 * <p>Classes that do more than locate (parse the kit's records, cut its corpora, make its chunks)
 * live beside their tests and take their paths from here.
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

  /** {@code relative} under the kit's {@code data/}, e.g. {@code instruct/gsm8k/test.jsonl}. */
  public static Path data(String relative) {
    return data().resolve(relative);
  }

  /**
   * {@code relative} under the kit's {@code data/}, which must be a file: a test over the real
   * data says which file is missing rather than passing on nothing.
   */
  public static Path dataFile(String relative) {
    Path p = data(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("data kit file missing: " + p);
    }
    return p;
  }

  /** {@code relative} under the kit's {@code models/}, e.g. {@code langid/lid.176.ftz}. */
  public static Path models(String relative) {
    return root().resolve("models").resolve(relative);
  }

  /** The directory of the tokenizer {@code name}, e.g. {@code qwen3}. */
  public static Path tokenizer(String name) {
    return models("tokenizers").resolve(name);
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
