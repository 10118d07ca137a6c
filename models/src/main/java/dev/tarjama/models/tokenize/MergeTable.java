package dev.tarjama.models.tokenize;

import java.util.Arrays;

/**
 * Open addressing from a pair of ids to (rank, merged id). A pair listed twice keeps its last
 * rank, as tokenizers' map of merges does.
 */
final class MergeTable {
  private final long[] keys;
  private final long[] values;
  private final int mask;

  MergeTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
    keys = new long[capacity];
    values = new long[capacity];
    Arrays.fill(keys, -1L);
    mask = capacity - 1;
  }

  void put(int left, int right, int rank, int merged) {
    long key = (long) left << 32 | (right & 0xffffffffL);
    int slot = slot(key);
    while (keys[slot] != -1L && keys[slot] != key) {
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    values[slot] = (long) rank << 32 | (merged & 0xffffffffL);
  }

  /** (rank << 32 | merged id), or -1 when the pair does not merge. */
  long get(int left, int right) {
    long key = (long) left << 32 | (right & 0xffffffffL);
    int slot = slot(key);
    while (true) {
      long k = keys[slot];
      if (k == key) {
        return values[slot];
      }
      if (k == -1L) {
        return -1L;
      }
      slot = (slot + 1) & mask;
    }
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }
}
