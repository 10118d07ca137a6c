package dev.tarjama.models.langid;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where language identifiers come from: one loaded model per file per JVM, shared by every DoFn
 * instance and thread of a worker (lid.176.ftz is ~1 MB, so it is never unloaded).
 */
public final class LanguageIdentifiers {
  private static final ConcurrentMap<Path, LanguageIdentifier> LOADED = new ConcurrentHashMap<>();

  private LanguageIdentifiers() {}

  /**
   * The identifier for a fastText model file, loaded once per JVM.
   *
   * @throws java.io.UncheckedIOException naming the file when it is missing or not a model
   *     (nothing is cached then, so a later call tries again)
   */
  public static LanguageIdentifier forPath(String path) {
    Path key = Path.of(path).toAbsolutePath().normalize();
    return LOADED.computeIfAbsent(key, LanguageIdentifier::load);
  }
}
