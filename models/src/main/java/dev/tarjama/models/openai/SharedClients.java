package dev.tarjama.models.openai;

import dev.tarjama.models.shared.Shared;
import java.util.function.Function;

/**
 * One {@link OpenAiCompatibleClient} per configuration per JVM, shared by every thread and every
 * DoFn instance that asks for it, so that the configured concurrency bounds the whole worker, not
 * each thread. Reference-counted ({@link Shared}): {@link #acquire} in {@code @Setup}, {@link
 * #release} in {@code @Teardown}; the client is closed when its last user leaves.
 */
public final class SharedClients {
  private static final Shared<BackendConfig, OpenAiCompatibleClient> CLIENTS =
      Shared.of("client", config -> OpenAiCompatibleClient.create(config, System::getenv));

  private SharedClients() {}

  /** The shared client for {@code config}, built (API key read) on first use. */
  public static OpenAiCompatibleClient acquire(BackendConfig config) {
    return CLIENTS.acquire(config);
  }

  /** As {@link #acquire(BackendConfig)}, with the key looked up in {@code environment}. */
  public static OpenAiCompatibleClient acquire(
      BackendConfig config, Function<String, String> environment) {
    return CLIENTS.acquire(config, c -> OpenAiCompatibleClient.create(c, environment));
  }

  /** Gives a client back; the last user's release closes it. */
  public static void release(BackendConfig config) {
    CLIENTS.release(config);
  }

  /** How many users hold the client for {@code config} (0 when none is open). */
  public static int users(BackendConfig config) {
    return CLIENTS.users(config);
  }
}
