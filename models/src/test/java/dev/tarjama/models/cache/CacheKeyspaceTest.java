package dev.tarjama.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheKeyspaceTest {
  private static final String HALA = "Translate from English to Arabic: {text}";
  private static final String TEXT = "Natalia sold clips to ⟦0⟧ of her friends.";

  private static CacheKeyspace gemma(Map<String, String> decoding) {
    return CacheKeyspace.of("openai-chat", "gemma-3-27b", HALA, decoding);
  }

  @Test
  void theKeyIsTheDocumentedDigestOnEveryJvm() {
    // Computed independently (Python hashlib) from the byte layout in CacheKeyspace's javadoc: a
    // key written by one JVM, version or machine is found by every other.
    Map<String, String> decoding = new LinkedHashMap<>();
    decoding.put("temperature", "0.3");
    decoding.put("max_tokens", "default"); // given out of order: the key sorts names
    assertEquals(
        "da6c590e6b9c4c8bfb23636a7e0323bdeae75d0abbeba5a25986d1f40096aacf",
        gemma(decoding).key(1, TEXT).hex());
    assertEquals(
        "a7546bf0cfb2baed932137cd98152ec94d7ef34c0549194c4050e95786e9b394",
        gemma(decoding)
            .withModelIdentity(Map.of("server-id", "gemma-3-27b", "model-version", "2",
                "server-root", ""))
            .key(1, TEXT).hex());
  }

  @Test
  void theLegacyKeyIsThePreviousReleasesKeyByteForByte() {
    // The digest the previous release (format version 1) pinned in this test: its caches are
    // still read through legacyKey, whatever the model identity.
    Map<String, String> decoding = new LinkedHashMap<>();
    decoding.put("temperature", "0.3");
    decoding.put("max_tokens", "default");
    String v1 = "8883732b1a56542719b617da970fc3de22d81076afec76046fe5196159eb0a31";
    assertEquals(v1, gemma(decoding).legacyKey(1, TEXT).hex());
    assertEquals(v1, gemma(decoding).withModelIdentity(Map.of("server-id", "x"))
        .legacyKey(1, TEXT).hex());
    assertNotEquals(gemma(decoding).key(1, TEXT), gemma(decoding)
        .withModelIdentity(Map.of("weights-sha256", "ab")).key(1, TEXT));
  }

  @Test
  void everyComponentChangesTheKey() {
    Map<String, String> decoding = Map.of("temperature", "0.3");
    CacheKey base = gemma(decoding).key(0, TEXT);
    List<CacheKey> others = List.of(
        CacheKeyspace.of("openai-completions", "gemma-3-27b", HALA, decoding).key(0, TEXT),
        CacheKeyspace.of("openai-chat", "gemma-3-12b", HALA, decoding).key(0, TEXT),
        CacheKeyspace.of("openai-chat", "gemma-3-27b", HALA + " ", decoding).key(0, TEXT),
        gemma(Map.of("temperature", "0.7")).key(0, TEXT),
        gemma(Map.of("temperature", "0.3", "seed", "7")).key(0, TEXT),
        gemma(decoding).key(1, TEXT),
        gemma(decoding).key(0, TEXT + " "));
    Set<CacheKey> distinct = new HashSet<>(others);
    distinct.add(base);
    assertEquals(others.size() + 1, distinct.size(), "a component did not change the key");
    assertEquals(base, gemma(Map.of("temperature", "0.3")).key(0, TEXT), "the key is stable");
  }

  @Test
  void fieldBoundariesAreUnambiguous() {
    assertNotEquals(
        CacheKeyspace.of("ab", "c", "", Map.of()).key(0, "x"),
        CacheKeyspace.of("a", "bc", "", Map.of()).key(0, "x"));
    assertNotEquals(
        CacheKeyspace.of("a", "b", "", Map.of()).key(1, "1x"),
        CacheKeyspace.of("a", "b", "", Map.of()).key(11, "x"));
  }

  @Test
  void hexRoundTripsAndKeysAreThreadSafe() throws Exception {
    CacheKeyspace keyspace = gemma(Map.of());
    CacheKey key = keyspace.key(0, TEXT);
    assertEquals(key, CacheKey.fromHex(key.hex()));
    Thread[] threads = new Thread[4];
    Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 2000; i++) {
          seen.add(keyspace.key(0, TEXT).hex());
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(Set.of(key.hex()), seen, "a shared digest prefix must not be corrupted");
  }

  @Test
  void decodingValuesCannotForgeOtherParameters() {
    assertThrows(IllegalArgumentException.class,
        () -> gemma(Map.of("temperature", "0.3\nseed=1")));
    assertThrows(IllegalArgumentException.class, () -> gemma(Map.of("a=b", "1")));
  }
}
