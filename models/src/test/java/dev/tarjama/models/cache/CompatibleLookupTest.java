package dev.tarjama.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries of the previous release's keys answer while the model identity is the one first seen
 * with them, never after it changed; a removed entry never answers again; a model's files make
 * its fingerprint.
 */
class CompatibleLookupTest {
  private static final CacheKeyspace BASE =
      CacheKeyspace.of("openai-chat", "gemma-3-27b", "Translate: {text}", Map.of("seed", "7"));

  @Test
  void legacyEntriesAnswerUntilTheModelIdentityChanges(@TempDir Path dir) {
    try (SqliteTranslationCache cache = SqliteTranslationCache.open(dir.resolve("t.db"))) {
      // What the previous release stored: its key bytes, no attestation.
      cache.put(BASE.legacyKey(0, "Hello."), new CachedTranslation("مرحبا.", 3, 2));
      CacheKeyspace v1Weights = BASE.withModelIdentity(Map.of("server-root", "/m/v1"));
      CacheKeyspace v2Weights = BASE.withModelIdentity(Map.of("server-root", "/m/v2"));

      CompatibleLookup first = CompatibleLookup.open(cache, v1Weights);
      assertTrue(first.legacyAnswers());
      assertEquals("مرحبا.", first.get(0, "Hello.").text());
      // Copied to the current key: found there without the legacy key from now on.
      assertEquals("مرحبا.", cache.get(v1Weights.key(0, "Hello.")).orElseThrow().text());

      CompatibleLookup changed = CompatibleLookup.open(cache, v2Weights);
      assertFalse(changed.legacyAnswers());
      assertNull(changed.get(0, "Hello."), "new weights answered from the old cache");
      assertTrue(CompatibleLookup.open(cache, v1Weights).legacyAnswers());
    }
  }

  @Test
  void aRemovedEntryNeverAnswersAgain(@TempDir Path dir) {
    try (SqliteTranslationCache cache = SqliteTranslationCache.open(dir.resolve("t.db"))) {
      CacheKey key = BASE.key(0, "Hello.");
      cache.put(key, new CachedTranslation("مر", 3, 1));
      cache.removeAll(List.of(key));
      assertNull(CompatibleLookup.open(cache, BASE).get(0, "Hello."));
    }
  }

  @Test
  void theFingerprintFollowsTheFilesNotTheDirectory(@TempDir Path dir) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model.onnx"), "weights v1");
    Files.writeString(model.resolve("config.json"), "{}");
    String before = ModelFingerprint.of(model);
    assertEquals(before, ModelFingerprint.of(model), "stable");
    Path copy = Files.createDirectories(dir.resolve("copy"));
    Files.writeString(copy.resolve("model.onnx"), "weights v1");
    Files.writeString(copy.resolve("config.json"), "{}");
    assertEquals(before, ModelFingerprint.of(copy), "the same files give the same fingerprint");
    Files.writeString(model.resolve("model.onnx"), "weights v2");
    Files.setLastModifiedTime(model.resolve("model.onnx"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    assertFalse(before.equals(ModelFingerprint.of(model)), "new weights, same directory");
  }
}
