package dev.tarjama.models.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Lookups of one keyspace in one cache that also find what the previous release stored (format
 * version 1, see {@link CacheKeyspace}) while nothing that identifies the model has changed, so
 * that an upgrade never pays twice for a translation it already has.
 *
 * <p>A lookup reads the current keys first; only the candidates not found there are looked up
 * under their version-1 keys, and only when {@link #legacyAnswers()}: the model identity recorded
 * for this version-1 keyspace ({@link CacheKeyspace#attestationKey}) is the keyspace's identity,
 * or nothing was recorded yet, in which case {@link #open} records it. A version-1 hit is copied
 * to its current key, so that the next lookup finds it there. Once another identity is recorded
 * (new weights in the same directory, another model behind the same name), version-1 entries
 * never answer for it.
 *
 * <p>Thread-safe as far as the cache is. Failures of the cache are {@link
 * TranslationCacheException}s, as for the cache itself; a failed copy to the current key is
 * ignored (the entry still answers through its version-1 key).
 */
public final class CompatibleLookup {
  /** One candidate to look up. */
  public record Request(int candidate, String text) {
    public Request {
      Objects.requireNonNull(text, "text");
    }
  }

  private static final String ATTESTED = "model-identity:";

  private final TranslationCache cache;
  private final CacheKeyspace keyspace;
  private final boolean legacyAnswers;

  private CompatibleLookup(TranslationCache cache, CacheKeyspace keyspace, boolean legacyAnswers) {
    this.cache = cache;
    this.keyspace = keyspace;
    this.legacyAnswers = legacyAnswers;
  }

  /**
   * Lookups of {@code keyspace} in {@code cache}: reads (and, the first time, records) which
   * model identity version-1 entries of this keyspace stand for.
   */
  public static CompatibleLookup open(TranslationCache cache, CacheKeyspace keyspace) {
    CacheKey attestation = keyspace.attestationKey();
    String mine = ATTESTED + keyspace.modelIdentity();
    CachedTranslation recorded = cache.getAll(List.of(attestation)).get(attestation);
    if (recorded == null) {
      cache.put(attestation, new CachedTranslation(mine, 0, 0));
      return new CompatibleLookup(cache, keyspace, true);
    }
    return new CompatibleLookup(cache, keyspace, recorded.text().equals(mine));
  }

  /** Whether entries of the previous release answer for this keyspace. */
  public boolean legacyAnswers() {
    return legacyAnswers;
  }

  /**
   * The stored translations of those requests that are stored, by their current key ({@link
   * CacheKeyspace#key}).
   */
  public Map<CacheKey, CachedTranslation> getAll(List<Request> requests) {
    List<CacheKey> keys = new ArrayList<>(requests.size());
    for (Request r : requests) {
      keys.add(keyspace.key(r.candidate(), r.text()));
    }
    Map<CacheKey, CachedTranslation> found = new HashMap<>(cache.getAll(keys));
    if (!legacyAnswers || found.size() == keys.size()) {
      return found;
    }
    Map<CacheKey, CacheKey> currentOfLegacy = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      if (!found.containsKey(keys.get(i))) {
        Request r = requests.get(i);
        currentOfLegacy.put(keyspace.legacyKey(r.candidate(), r.text()), keys.get(i));
      }
    }
    Map<CacheKey, CachedTranslation> legacy = cache.getAll(currentOfLegacy.keySet());
    if (legacy.isEmpty()) {
      return found;
    }
    Map<CacheKey, CachedTranslation> copies = new LinkedHashMap<>();
    legacy.forEach((legacyKey, value) -> copies.put(currentOfLegacy.get(legacyKey), value));
    found.putAll(copies);
    try {
      cache.putAll(copies);
    } catch (TranslationCacheException e) {
      // The entry still answers through its version-1 key.
    }
    return found;
  }

  /** One request's stored translation, or null. */
  public CachedTranslation get(int candidate, String text) {
    return getAll(List.of(new Request(candidate, text))).get(keyspace.key(candidate, text));
  }
}
