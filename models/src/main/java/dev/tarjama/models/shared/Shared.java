package dev.tarjama.models.shared;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of an expensive resource per key per JVM (an ONNX Runtime session, an HTTP client
 * with its concurrency limit, a cache connection, a tokenizer), shared by every DoFn instance and
 * thread of a worker that asks for it. Reference-counted: {@link #acquire} in {@code @Setup},
 * {@link #release} in {@code @Teardown}; the resource is closed when its last user leaves.
 *
 * <p>A resource is made outside the registry-wide lock, under its own entry's lock: a slow load
 * (seconds for a large model) blocks only the threads that wait for that same key. A failed load
 * leaves nothing behind, so the next {@code acquire} tries again.
 *
 * @param <K> what identifies a resource (a config record, a path, a URI)
 * @param <V> the resource
 */
public final class Shared<K, V extends AutoCloseable> {
  /** Makes the resource for a key; called at most once per key while the key has users. */
  @FunctionalInterface
  public interface Loader<K, V> {
    V load(K key) throws Exception;
  }

  private final String what;
  private final Loader<? super K, ? extends V> loader;
  private final Map<K, Entry<V>> entries = new HashMap<>();

  private static final class Entry<V> {
    int users;
    V value;
  }

  private Shared(String what, Loader<? super K, ? extends V> loader) {
    this.what = Objects.requireNonNull(what);
    this.loader = Objects.requireNonNull(loader);
  }

  /**
   * A registry of {@code what} (named in error messages, e.g. "model") whose resources {@code
   * loader} makes.
   */
  public static <K, V extends AutoCloseable> Shared<K, V> of(
      String what, Loader<? super K, ? extends V> loader) {
    return new Shared<>(what, loader);
  }

  /** The resource for {@code key}, made by the registry's loader on first use. */
  public V acquire(K key) {
    return acquire(key, loader);
  }

  /**
   * The resource for {@code key}, made by {@code load} if nobody holds it yet (for resources whose
   * making needs more than the key, e.g. an environment to read a secret from).
   *
   * @throws RuntimeException the loader's own, or an {@link IllegalStateException} naming the key
   *     whose cause is the loader's checked exception
   */
  public V acquire(K key, Loader<? super K, ? extends V> load) {
    Objects.requireNonNull(key, "key");
    Entry<V> entry;
    synchronized (this) {
      entry = entries.computeIfAbsent(key, k -> new Entry<>());
      entry.users++;
    }
    try {
      synchronized (entry) {
        if (entry.value == null) {
          V made = load.load(key);
          if (made == null) {
            throw new IllegalStateException("the loader of " + what + " " + key + " returned null");
          }
          entry.value = made;
        }
        return entry.value;
      }
    } catch (RuntimeException | Error e) {
      release(key);
      throw e;
    } catch (Exception e) {
      release(key);
      throw new IllegalStateException("cannot load " + what + " " + key + ": " + e.getMessage(), e);
    }
  }

  /** Gives a resource back; the last user's release closes it. Unknown keys are ignored. */
  public void release(K key) {
    V toClose = null;
    synchronized (this) {
      Entry<V> entry = entries.get(key);
      if (entry != null && --entry.users <= 0) {
        entries.remove(key);
        toClose = entry.value;
      }
    }
    if (toClose != null) {
      try {
        toClose.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // Closing frees native memory or sockets at the end of a worker's life; nothing to retry.
        throw new IllegalStateException("cannot close " + what + " " + key, e);
      }
    }
  }

  /** How many users hold the resource for {@code key} (0 when none is open). */
  public synchronized int users(K key) {
    Entry<V> entry = entries.get(key);
    return entry == null ? 0 : entry.users;
  }
}
