package dev.tarjama.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranslationCachesTest {
  @Test
  void urisAreCheckedWithMessagesThatSayWhatIsAccepted() {
    assertTrue(TranslationCaches.isNone("none"));
    assertTrue(TranslationCaches.isNone(""));
    TranslationCaches.validate("sqlite:/tmp/x.db");
    TranslationCaches.validate("redis://127.0.0.1:6379/2?password-env=REDIS_PASSWORD");
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> TranslationCaches.validate("rocks:/x"));
    assertTrue(unknown.getMessage().contains("sqlite:PATH"), unknown.getMessage());
    IllegalArgumentException credentials = assertThrows(IllegalArgumentException.class,
        () -> TranslationCaches.validate("redis://user:secret@127.0.0.1:6379"));
    assertFalse(credentials.getMessage().contains("secret"), credentials.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TranslationCaches.validate("redis://127.0.0.1:6379/zero"));
    assertThrows(IllegalArgumentException.class, () -> TranslationCaches.validate("sqlite:"));
  }

  @Test
  void oneSharedCachePerUriClosedByItsLastUser(@TempDir Path tmp) {
    String uri = TranslationCaches.sqlite(tmp.resolve("shared.db"));
    TranslationCache first = TranslationCaches.acquire(uri);
    TranslationCache second = TranslationCaches.acquire(uri);
    assertSame(first, second);
    assertEquals(2, TranslationCaches.users(uri));
    CacheKey key = CacheKeyspace.of("local", "m", "", Map.of()).key(0, "Hello.");
    first.put(key, new CachedTranslation("مرحبا.", 2, 3));
    TranslationCaches.release(uri);
    assertEquals(new CachedTranslation("مرحبا.", 2, 3), second.get(key).orElseThrow());
    TranslationCaches.release(uri);
    assertEquals(0, TranslationCaches.users(uri));
  }

  @Test
  void anUnreachableRedisIsNamedAndAMissingPasswordVariableToo() {
    TranslationCacheException unreachable = assertThrows(TranslationCacheException.class,
        () -> TranslationCaches.open("redis://127.0.0.1:1"));
    assertTrue(unreachable.getMessage().contains("127.0.0.1:1"), unreachable.getMessage());
    TranslationCacheException unset = assertThrows(TranslationCacheException.class,
        () -> TranslationCaches.open("redis://127.0.0.1:1?password-env=NO_SUCH_VAR", n -> null));
    assertTrue(unset.getMessage().contains("NO_SUCH_VAR"), unset.getMessage());
  }
}
