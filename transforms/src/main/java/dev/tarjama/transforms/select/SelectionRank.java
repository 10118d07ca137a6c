package dev.tarjama.transforms.select;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import org.apache.beam.sdk.values.KV;

/**
 * The rank that quotas keep records by: the first 8 bytes of SHA-256(seed, record id), so it
 * depends on nothing but the seed and the id (not on arrival order, worker or runner), and a
 * different seed reshuffles every stratum. Ties (astronomically rare) go to the record id.
 */
public final class SelectionRank {
  /** Lowest (rank, record id) first: the order in which quotas keep records. */
  public static final Comparator<KV<Long, String>> LOWEST_FIRST = new LowestFirst();

  private SelectionRank() {}

  public static long of(long seed, String recordId) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
    sha.update(recordId.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong();
  }

  private static final class LowestFirst
      implements Comparator<KV<Long, String>>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(KV<Long, String> a, KV<Long, String> b) {
      int byRank = Long.compare(a.getKey(), b.getKey());
      return byRank != 0 ? byRank : a.getValue().compareTo(b.getValue());
    }
  }
}
