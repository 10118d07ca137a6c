package dev.tarjama.transforms.score;

import java.util.Objects;
import java.util.function.Function;

/**
 * The last few results of a pure function of a text, kept per thread. After the Reassemble
 * barrier the same prose is measured again and again on one thread: the quality signals and then
 * Score count the same source and target lengths, and every candidate of a record shares its
 * source. A text already seen (the same object, or an equal one, as a decoded copy between stages
 * is) gets the kept result instead of being measured again.
 *
 * <p>The function must be pure and its results immutable (they are handed out again as they are).
 * A thread keeps at most {@code size} texts and their results; the oldest goes first.
 */
public final class TextMemo<V> {
  private final Function<String, V> compute;
  private final ThreadLocal<Object[]> recent;

  private TextMemo(int size, Function<String, V> compute) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    this.compute = Objects.requireNonNull(compute);
    this.recent = ThreadLocal.withInitial(() -> new Object[2 * size]);
  }

  /** Keeps the last {@code size} results of {@code compute} on each thread. */
  public static <V> TextMemo<V> of(int size, Function<String, V> compute) {
    return new TextMemo<>(size, compute);
  }

  /** {@code compute.apply(text)}, from this thread's recent results when it has the text. */
  @SuppressWarnings("unchecked")
  public V get(String text) {
    Object[] slots = recent.get();
    for (int i = 0; i < slots.length; i += 2) {
      if (slots[i] == text) {
        return (V) slots[i + 1];
      }
    }
    for (int i = 0; i < slots.length; i += 2) {
      if (slots[i] != null && slots[i].equals(text)) {
        return (V) slots[i + 1];
      }
    }
    V value = compute.apply(text);
    System.arraycopy(slots, 0, slots, 2, slots.length - 2);
    slots[0] = text;
    slots[1] = value;
    return value;
  }
}
