package dev.tarjama.models.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The translation cache of a cluster: a Redis server (Jedis, pooled connections, thread-safe)
 * that every worker reaches.
 *
 * <p>One Redis string per candidate: key {@code tarjama:tr:v1:<64 hex digits>}, value a version
 * byte (1), tokens in and tokens out (8 bytes each, big-endian) and the UTF-8 text. Lookups are
 * one {@code MGET}, writes one {@code MSET}. No expiry: a translation does not go stale. How
 * durable the cache is, is Redis's persistence setting ({@code appendonly yes} for a cache that
 * must survive a Redis restart).
 */
public final class RedisTranslationCache implements TranslationCache {
  static final String KEY_PREFIX = "tarjama:tr:v1:";
  private static final byte VALUE_FORMAT = 1;
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int SOCKET_TIMEOUT_MS = 30_000;

  private final String description;
  private final JedisPooled redis;

  private RedisTranslationCache(String description, JedisPooled redis) {
    this.description = description;
    this.redis = redis;
  }

  /**
   * Connects to Redis and checks it answers.
   *
   * @param password the password, or null for none (never part of {@link #describe()})
   * @throws TranslationCacheException naming host and port when Redis does not answer
   */
  public static RedisTranslationCache connect(String host, int port, int database, String password) {
    String description = "redis://" + host + ":" + port + "/" + database;
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
            .socketTimeoutMillis(SOCKET_TIMEOUT_MS)
            .database(database)
            .clientName("tarjama");
    if (password != null) {
      config = config.password(password);
    }
    JedisPooled redis = new JedisPooled(new HostAndPort(host, port), config.build());
    try {
      redis.ping();
    } catch (JedisException e) {
      redis.close();
      throw new TranslationCacheException(
          "cannot reach the translation cache " + description + ": " + message(e), e);
    }
    return new RedisTranslationCache(description, redis);
  }

  @Override
  public Map<CacheKey, CachedTranslation> getAll(Collection<CacheKey> keys) {
    Map<CacheKey, CachedTranslation> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    List<CacheKey> all = new ArrayList<>(keys);
    byte[][] redisKeys = new byte[all.size()][];
    for (int i = 0; i < all.size(); i++) {
      redisKeys[i] = redisKey(all.get(i));
    }
    List<byte[]> values;
    try {
      values = redis.mget(redisKeys);
    } catch (JedisException e) {
      throw new TranslationCacheException(
          "cannot read the translation cache " + description + ": " + message(e), e);
    }
    for (int i = 0; i < all.size(); i++) {
      byte[] value = values.get(i);
      if (value != null) {
        CachedTranslation t = decode(value);
        if (t != null) {
          found.put(all.get(i), t);
        }
      }
    }
    return found;
  }

  @Override
  public void putAll(Map<CacheKey, CachedTranslation> entries) {
    if (entries.isEmpty()) {
      return;
    }
    byte[][] keysAndValues = new byte[entries.size() * 2][];
    int i = 0;
    for (Map.Entry<CacheKey, CachedTranslation> e : entries.entrySet()) {
      keysAndValues[i++] = redisKey(e.getKey());
      keysAndValues[i++] = encode(e.getValue());
    }
    try {
      redis.mset(keysAndValues);
    } catch (JedisException e) {
      throw new TranslationCacheException(
          "cannot write the translation cache " + description + ": " + message(e), e);
    }
  }

  @Override
  public void removeAll(Collection<CacheKey> keys) {
    if (keys.isEmpty()) {
      return;
    }
    byte[][] redisKeys = keys.stream().map(RedisTranslationCache::redisKey).toArray(byte[][]::new);
    try {
      redis.del(redisKeys);
    } catch (JedisException e) {
      throw new TranslationCacheException(
          "cannot write the translation cache " + description + ": " + message(e), e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    redis.close();
  }

  static byte[] redisKey(CacheKey key) {
    return (KEY_PREFIX + key.hex()).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] encode(CachedTranslation t) {
    byte[] text = t.text().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(17 + text.length)
        .put(VALUE_FORMAT)
        .putLong(t.tokensIn())
        .putLong(t.tokensOut())
        .put(text)
        .array();
  }

  /** The value, or null when it is not one this version wrote (treated as a miss). */
  static CachedTranslation decode(byte[] value) {
    if (value.length < 17 || value[0] != VALUE_FORMAT) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    b.get();
    long in = b.getLong();
    long out = b.getLong();
    if (in < 0 || out < 0) {
      return null;
    }
    return new CachedTranslation(
        new String(value, 17, value.length - 17, StandardCharsets.UTF_8), in, out);
  }

  /** Jedis messages name the host, never the password; keep the first line only. */
  private static String message(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = String.valueOf(t.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public String toString() {
    return describe();
  }
}
