package dev.tarjama.models.openai;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one OpenAI-compatible server (vLLM, SGLang, llama.cpp, a hosted API) and how to
 * sample from it. An immutable, serializable value: it travels inside Beam DoFns and keys the
 * per-JVM client cache ({@link SharedClients}).
 *
 * <p>It names the environment variable or the Secret Manager secret that holds the API key, never
 * the key itself: the key is read when a client is built and lives only inside that client.
 *
 * @param baseUrl the API root, e.g. {@code http://127.0.0.1:8000/v1} (no trailing slash needed)
 * @param model the {@code model} field sent with each request
 * @param endpoint chat ({@code POST {base}/chat/completions}) or completions
 * @param apiKeyEnv name of the environment variable holding the key; {@code ""}: no key is sent
 * @param temperature sampling temperature; NaN: not sent (server default)
 * @param topP nucleus sampling; NaN: not sent
 * @param maxTokens {@code max_tokens}; 0: not sent
 * @param candidateMode how k candidates are asked for: one request with {@code n=k}, or k
 *     requests with {@code n=1} and seeds {@code seed+i}
 * @param seed base seed; null: not sent in {@link CandidateMode#SERVER_N} mode, 0 in {@link
 *     CandidateMode#SEEDED_CALLS} mode
 * @param requestTimeout limit for one HTTP request, from sending to the full response
 * @param connectTimeout limit for opening a connection
 * @param maxAttempts HTTP attempts per request before giving up (1 = no retry)
 * @param backoffBase first retry delay before jitter; doubles per attempt
 * @param backoffCap the largest retry delay before jitter (a Retry-After header may ask for more)
 * @param concurrency most HTTP requests in flight at once through one client: with {@code
 *     adaptive}, the ceiling of the adaptive limit
 * @param adaptive AIMD: the in-flight limit halves when the server answers 429 or 503 and grows
 *     back by about one per round trip of successes ({@link AdaptiveLimiter})
 * @param tokensPerMinute the most tokens (prompt + {@code max_tokens}, estimated, corrected by
 *     usage) sent per minute through one client; 0: no budget
 * @param requestsPerMinute the most requests sent per minute through one client; 0: no budget
 * @param apiKeySecret the Google Secret Manager secret version holding the key, {@code
 *     projects/P/secrets/S/versions/V}, read on the worker that builds the client ({@link
 *     SecretManagerKeys}); {@code ""}: none. At most one of it and {@code apiKeyEnv}
 * @param extraBody fields merged into every request body (vLLM's {@code chat_template_kwargs},
 *     {@code top_k}, {@code stop}, …): a JSON object in {@link ExtraBody#canonical canonical}
 *     form, or {@code ""} for none. It may not set a field the client sets itself.
 */
public record BackendConfig(
    String baseUrl,
    String model,
    Endpoint endpoint,
    String apiKeyEnv,
    double temperature,
    double topP,
    int maxTokens,
    CandidateMode candidateMode,
    Long seed,
    Duration requestTimeout,
    Duration connectTimeout,
    int maxAttempts,
    Duration backoffBase,
    Duration backoffCap,
    int concurrency,
    boolean adaptive,
    long tokensPerMinute,
    long requestsPerMinute,
    String apiKeySecret,
    String extraBody)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Which OpenAI API a backend speaks. */
  public enum Endpoint {
    /** {@code POST {base}/chat/completions} with {@code messages=[{role:user, content:prompt}]}. */
    CHAT("chat/completions"),
    /** {@code POST {base}/completions} with {@code prompt}: raw continuation, no chat template. */
    COMPLETIONS("completions");

    private final String path;

    Endpoint(String path) {
      this.path = path;
    }

    public String path() {
      return path;
    }
  }

  /** How k candidates for one prompt are requested. */
  public enum CandidateMode {
    /** One request with {@code n=k} (vLLM, SGLang, OpenAI). */
    SERVER_N,
    /** k requests with {@code n=1} and seeds {@code seed+i} (servers that ignore {@code n}). */
    SEEDED_CALLS
  }

  public BackendConfig {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
    Objects.requireNonNull(apiKeySecret, "apiKeySecret");
    Objects.requireNonNull(candidateMode, "candidateMode");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffCap, "backoffCap");
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    URI uri = URI.create(baseUrl);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("base URL must be http or https: " + baseUrl);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("base URL has no host: " + baseUrl);
    }
    if (uri.getUserInfo() != null) {
      // Credentials in a URL end up in logs and reports; they belong in apiKeyEnv.
      throw new IllegalArgumentException(
          "base URL must not carry credentials; put the key in an environment variable");
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    if (!apiKeyEnv.isEmpty() && !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "apiKeyEnv must be the NAME of an environment variable, got something else");
    }
    if (!apiKeySecret.isEmpty() && !SecretManagerKeys.isSecretVersion(apiKeySecret)) {
      throw new IllegalArgumentException(
          "the API key's secret must be a Secret Manager version, projects/P/secrets/S/versions/V");
    }
    if (!apiKeySecret.isEmpty() && !apiKeyEnv.isEmpty()) {
      throw new IllegalArgumentException("give the API key by environment variable or by secret, not both");
    }
    if (!Double.isNaN(temperature) && (temperature < 0 || temperature > 2)) {
      throw new IllegalArgumentException("temperature must be in [0, 2]: " + temperature);
    }
    if (!Double.isNaN(topP) && (topP <= 0 || topP > 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1]: " + topP);
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max_tokens must be >= 0: " + maxTokens);
    }
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(backoffBase, "backoffBase");
    requirePositive(backoffCap, "backoffCap");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
    }
    if (tokensPerMinute < 0) {
      throw new IllegalArgumentException("tokens per minute must be >= 0: " + tokensPerMinute);
    }
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException(
          "requests per minute must be >= 0: " + requestsPerMinute);
    }
    Objects.requireNonNull(extraBody, "extraBody");
    extraBody = ExtraBody.canonical(extraBody);
  }

  private static void requirePositive(Duration d, String what) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }

  /**
   * A chat backend with defaults: no key, server-default sampling, {@code n}-mode candidates, 120
   * s request and 10 s connect timeouts, 6 attempts with backoff from 0.5 s up to 30 s, at most
   * 16 requests in flight with the adaptive limit on, no per-minute budgets.
   */
  public static BackendConfig of(String baseUrl, String model) {
    return new BackendConfig(
        baseUrl,
        model,
        Endpoint.CHAT,
        "",
        Double.NaN,
        Double.NaN,
        0,
        CandidateMode.SERVER_N,
        null,
        Duration.ofSeconds(120),
        Duration.ofSeconds(10),
        6,
        Duration.ofMillis(500),
        Duration.ofSeconds(30),
        16,
        true,
        0,
        0,
        "",
        "");
  }

  /** The full URL requests go to. */
  public URI requestUri() {
    return URI.create(baseUrl + "/" + endpoint.path());
  }

  public BackendConfig withEndpoint(Endpoint value) {
    return new BackendConfig(
        baseUrl, model, value, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withApiKeyEnv(String value) {
    return new BackendConfig(
        baseUrl, model, endpoint, value, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  /** The key from a Secret Manager secret version (see {@link SecretManagerKeys}). */
  public BackendConfig withApiKeySecret(String value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, value, extraBody);
  }

  public BackendConfig withTemperature(double value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, value, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withTopP(double value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, value, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withMaxTokens(int value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, value, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withCandidateMode(CandidateMode value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, value, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withSeed(Long value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, value,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withRequestTimeout(Duration value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        value, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withConnectTimeout(Duration value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, value, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withMaxAttempts(int value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, value, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withBackoff(Duration base, Duration cap) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, base, cap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  public BackendConfig withConcurrency(int value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, value, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  /** AIMD on 429/503 (on by default); off: the limit stays at the concurrency. */
  public BackendConfig withAdaptive(boolean value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, value,
        tokensPerMinute, requestsPerMinute, apiKeySecret, extraBody);
  }

  /** A tokens-per-minute budget for this client (0: none). */
  public BackendConfig withTokensPerMinute(long value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        value, requestsPerMinute, apiKeySecret, extraBody);
  }

  /** A requests-per-minute budget for this client (0: none). */
  public BackendConfig withRequestsPerMinute(long value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, value, apiKeySecret, extraBody);
  }

  /** Fields merged into every request body ({@code ""}: none); see {@link ExtraBody}. */
  public BackendConfig withExtraBody(String value) {
    return new BackendConfig(
        baseUrl, model, endpoint, apiKeyEnv, temperature, topP, maxTokens, candidateMode, seed,
        requestTimeout, connectTimeout, maxAttempts, backoffBase, backoffCap, concurrency, adaptive,
        tokensPerMinute, requestsPerMinute, apiKeySecret, value);
  }
}
