package dev.tarjama.models.cache;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The content address of one cached translation candidate: a SHA-256 digest made by {@link
 * CacheKeyspace#key}. Equal keys mean the same request to the same model with the same decoding
 * for the same candidate of the same text, so the stored translation can stand in for a new call.
 */
public final class CacheKey implements Comparable<CacheKey> {
  static final int BYTES = 32;

  private final byte[] digest;

  CacheKey(byte[] digest) {
    if (digest.length != BYTES) {
      throw new IllegalArgumentException("a cache key is a 32-byte SHA-256 digest");
    }
    this.digest = digest.clone();
  }

  /** The key of a 64-character lowercase hex digest, as {@link #hex()} writes it. */
  public static CacheKey fromHex(String hex) {
    return new CacheKey(HexFormat.of().parseHex(hex));
  }

  /** The digest, a copy. */
  public byte[] bytes() {
    return digest.clone();
  }

  /** The digest as 64 lowercase hex characters. */
  public String hex() {
    return HexFormat.of().formatHex(digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && Arrays.equals(digest, k.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public int compareTo(CacheKey o) {
    return Arrays.compareUnsigned(digest, o.digest);
  }

  @Override
  public String toString() {
    return hex();
  }
}
