package dev.tarjama.models.cache;

import dev.tarjama.models.shared.Shared;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * Opens translation caches from URIs and shares one open cache per URI per JVM.
 *
 * <p>URIs:
 *
 * <ul>
 *   <li>{@code sqlite:PATH}: the embedded store ({@link SqliteTranslationCache}) in file PATH, as
 *       the workers see it; for one machine.
 *   <li>{@code redis://HOST:PORT[/DB][?password-env=VAR]}: a Redis server ({@link
 *       RedisTranslationCache}) for a cluster; the password, if any, is read from the environment
 *       variable VAR (a password never appears in a URI, a log or a report).
 *   <li>{@code none}: no cache.
 * </ul>
 *
 * <p>{@link #acquire}/{@link #release} are reference-counted ({@link Shared}): every DoFn
 * instance and thread of a worker JVM shares one connection (one SQLite connection, one Redis
 * pool) per URI, opened by the first {@code @Setup} and closed by the last {@code @Teardown}.
 */
public final class TranslationCaches {
  public static final String NONE = "none";

  private static final Shared<String, TranslationCache> SHARED =
      Shared.of("translation cache", TranslationCaches::open);

  private TranslationCaches() {}

  /** Whether {@code uri} turns caching off ({@code none}, or empty). */
  public static boolean isNone(String uri) {
    return uri == null || uri.isBlank() || uri.strip().equalsIgnoreCase(NONE);
  }

  /**
   * Checks a URI's form without opening anything (a command line checks before it builds the
   * pipeline).
   *
   * @throws IllegalArgumentException saying what is wrong and what is accepted
   */
  public static void validate(String uri) {
    if (isNone(uri)) {
      return;
    }
    parse(uri);
  }

  /** A new cache for {@code uri}; the caller closes it. Environment: the process's. */
  public static TranslationCache open(String uri) {
    return open(uri, System::getenv);
  }

  /** As {@link #open(String)}, with environment variables looked up in {@code environment}. */
  public static TranslationCache open(String uri, Function<String, String> environment) {
    if (isNone(uri)) {
      throw new IllegalArgumentException("cache 'none' is no cache: nothing to open");
    }
    Parsed p = parse(uri);
    if (p.sqlite != null) {
      return SqliteTranslationCache.open(p.sqlite);
    }
    String password = null;
    if (p.passwordEnv != null) {
      password = environment.apply(p.passwordEnv);
      if (password == null || password.isEmpty()) {
        throw new TranslationCacheException(
            "environment variable " + p.passwordEnv + " (password of the translation cache "
                + p.host + ":" + p.port + ") is not set");
      }
    }
    return RedisTranslationCache.connect(p.host, p.port, p.database, password);
  }

  /** The cache shared on this JVM for {@code uri}, opened on first use; pair with {@link #release}. */
  public static TranslationCache acquire(String uri) {
    return SHARED.acquire(uri.strip());
  }

  /** Gives a shared cache back; the last user's release closes it. */
  public static void release(String uri) {
    SHARED.release(uri.strip());
  }

  /** How many users hold the shared cache of {@code uri} (0 when none is open). */
  public static int users(String uri) {
    return SHARED.users(uri.strip());
  }

  /** The URI of the embedded store in {@code file}. */
  public static String sqlite(Path file) {
    return "sqlite:" + file;
  }

  private record Parsed(Path sqlite, String host, int port, int database, String passwordEnv) {}

  private static Parsed parse(String uri) {
    String u = uri.strip();
    String lower = u.toLowerCase(Locale.ROOT);
    if (lower.startsWith("sqlite:")) {
      String path = u.substring("sqlite:".length());
      if (path.startsWith("//")) {
        path = path.substring(2); // sqlite:///abs/path
      }
      if (path.isBlank()) {
        throw new IllegalArgumentException("cache " + u + " names no file: sqlite:PATH");
      }
      return new Parsed(Path.of(path), null, 0, 0, null);
    }
    if (lower.startsWith("redis://")) {
      URI parsed;
      try {
        parsed = new URI(u);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("cache URI is not a URI: " + e.getMessage());
      }
      if (parsed.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "a cache URI must not carry credentials; use redis://HOST:PORT?password-env=VAR");
      }
      if (parsed.getHost() == null) {
        throw new IllegalArgumentException("cache " + u + " names no host: redis://HOST:PORT");
      }
      int port = parsed.getPort() < 0 ? 6379 : parsed.getPort();
      int database = 0;
      String path = parsed.getPath();
      if (path != null && !path.isEmpty() && !path.equals("/")) {
        try {
          database = Integer.parseInt(path.substring(1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "cache " + u + ": the path must be a database number, e.g. redis://HOST:PORT/0");
        }
      }
      String passwordEnv = null;
      if (parsed.getQuery() != null) {
        for (String param : parsed.getQuery().split("&")) {
          if (param.startsWith("password-env=")) {
            passwordEnv = param.substring("password-env=".length());
            if (!passwordEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
              throw new IllegalArgumentException(
                  "password-env must be the NAME of an environment variable");
            }
          } else {
            throw new IllegalArgumentException(
                "unknown cache URI parameter '" + param.split("=")[0] + "'; known: password-env");
          }
        }
      }
      return new Parsed(null, parsed.getHost(), port, database, passwordEnv);
    }
    throw new IllegalArgumentException(
        "unknown cache '" + u + "'; use sqlite:PATH, redis://HOST:PORT[/DB][?password-env=VAR] or none");
  }
}
