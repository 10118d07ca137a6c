package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An asynchronous client for one OpenAI-compatible text generation server (vLLM, SGLang,
 * llama.cpp, TGI, a hosted API), on {@link java.net.http.HttpClient}.
 *
 * <p>{@link #translate(String, int)} sends one prompt and completes with n candidate texts. The
 * client keeps its backend busy without tripping its limits ({@link AdaptiveLimiter}): at most
 * {@link BackendConfig#concurrency()} HTTP requests are in flight, fewer while the server answers
 * 429 or 503 when {@link BackendConfig#adaptive()} (AIMD); a {@code Retry-After} pauses every send
 * of this client until then; and {@link BackendConfig#tokensPerMinute()} and {@link
 * BackendConfig#requestsPerMinute()} budgets hold (tokens estimated as the prompt's plus {@code
 * max_tokens}, corrected by the server's usage). Calls beyond that queue without blocking their
 * caller. Each request is retried per {@link RetryPolicy} (jittered exponential backoff, {@code
 * Retry-After} honoured on 429 and 503) up to {@link BackendConfig#maxAttempts()} attempts; a
 * permanent error fails at once with {@link BackendException}.
 *
 * <p>The API key is read from the environment variable the configuration names when the client is
 * built, sent as {@code Authorization: Bearer}, and appears nowhere else: not in {@link
 * #toString()}, not in exception messages (redacted even when a server echoes it).
 *
 * <p>Thread-safe; meant to be shared by every thread of a JVM ({@link SharedClients}).
 */
public final class OpenAiCompatibleClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EXCERPT_CHARS = 200;
  private static final String REDACTED = "[redacted]";

  private final BackendConfig config;
  private final URI uri;
  private final String apiKey;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final AdaptiveLimiter limiter;

  private OpenAiCompatibleClient(BackendConfig config, String apiKey) {
    this.config = config;
    this.uri = config.requestUri();
    this.apiKey = apiKey;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tarjama-openai-" + config.model());
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            // vLLM & co. speak HTTP/1.1; asking for h2c only adds an Upgrade round trip.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.limiter =
        new AdaptiveLimiter(
            config.concurrency(),
            config.adaptive(),
            config.tokensPerMinute(),
            config.requestsPerMinute(),
            scheduler,
            System::nanoTime);
  }

  /** A client whose API key (if the configuration names one) comes from the process environment. */
  public static OpenAiCompatibleClient create(BackendConfig config) {
    return create(config, System::getenv);
  }

  /**
   * A client whose API key is looked up in {@code environment} (the process environment in
   * production; a map in tests, since a JVM cannot set its own environment).
   *
   * @throws IllegalStateException when the configuration names a key variable that is unset or
   *     blank, or a secret that cannot be read (the message names the variable or the secret,
   *     never a value)
   */
  public static OpenAiCompatibleClient create(
      BackendConfig config, Function<String, String> environment) {
    String key = null;
    if (!config.apiKeyEnv().isEmpty()) {
      key = environment.apply(config.apiKeyEnv());
      if (key == null || key.isBlank()) {
        throw new IllegalStateException(
            "environment variable "
                + config.apiKeyEnv()
                + " (API key for model "
                + config.model()
                + ") is not set");
      }
      key = key.strip();
    } else if (!config.apiKeySecret().isEmpty()) {
      key = SecretManagerKeys.google().access(config.apiKeySecret());
    }
    return new OpenAiCompatibleClient(config, key);
  }

  public BackendConfig config() {
    return config;
  }

  /** HTTP requests in flight now. */
  public int inFlight() {
    return limiter.running();
  }

  /** Requests waiting for a free slot now. */
  public int queued() {
    return limiter.queued();
  }

  /** The most HTTP requests that were ever in flight at once (never above the concurrency). */
  public int maxInFlight() {
    return limiter.maxRunning();
  }

  /**
   * The in-flight limit now: the configured concurrency, or less after 429/503 answers while
   * {@link BackendConfig#adaptive()}.
   */
  public int concurrencyLimit() {
    return limiter.limit();
  }

  /** How often a 429 or 503 made the adaptive limit shrink. */
  public long limitDecreases() {
    return limiter.decreases();
  }

  /** How often a {@code Retry-After} paused every send of this client. */
  public long pauses() {
    return limiter.pauses();
  }

  /**
   * Sends {@code prompt} and completes with {@code n} candidate texts in candidate order: one
   * request with {@code n} in {@link BackendConfig.CandidateMode#SERVER_N} mode, n requests with
   * seeds {@code seed+i} in {@link BackendConfig.CandidateMode#SEEDED_CALLS} mode. Completes
   * exceptionally with {@link BackendException} when a request fails for good (in seeded mode: any
   * of the n).
   */
  public CompletableFuture<Completion> translate(String prompt, int n) {
    return translate(prompt, n, (in, out) -> {});
  }

  /** Hears of every HTTP attempt that came back with a result: what the server billed for it. */
  @FunctionalInterface
  public interface AttemptUsage {
    void paid(long promptTokens, long completionTokens);
  }

  /**
   * {@link #translate(String, int)}, telling {@code usage} of each attempt that came back with a
   * result the moment it does (on the HTTP client's thread), including the calls of a seeded
   * request whose sibling failed: the server billed them although the request as a whole failed.
   */
  public CompletableFuture<Completion> translate(String prompt, int n, AttemptUsage usage) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1: " + n);
    }
    if (config.candidateMode() == BackendConfig.CandidateMode.SERVER_N || n == 1) {
      return call(prompt, n, config.seed(), usage).thenApply(r -> r.toCompletion(1));
    }
    long base = config.seed() == null ? 0L : config.seed();
    List<CompletableFuture<CallResult>> calls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      calls.add(call(prompt, 1, base + i, usage));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              List<CallResult> results = calls.stream().map(CompletableFuture::join).toList();
              return CallResult.merge(results).toCompletion(n);
            });
  }

  /**
   * A rough token count for text whose usage a server did not report: one token per 4 UTF-16
   * chars, at least 1 for non-empty text. Marked as an estimate wherever it is used.
   */
  public static long estimateTokens(String text) {
    return text.isEmpty() ? 0 : Math.max(1, (text.length() + 3) / 4);
  }

  // ---------------------------------------------------------------------------------------------

  /** One logical request: its parsed result and the attempts it took. */
  private record CallResult(
      List<String> texts,
      List<String> finishReasons,
      long promptTokens,
      long completionTokens,
      boolean estimated,
      int attempts) {

    static CallResult merge(List<CallResult> parts) {
      List<String> texts = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      long in = 0;
      long out = 0;
      boolean estimated = false;
      int attempts = 0;
      for (CallResult p : parts) {
        texts.addAll(p.texts);
        reasons.addAll(p.finishReasons);
        in += p.promptTokens;
        out += p.completionTokens;
        estimated |= p.estimated;
        attempts += p.attempts;
      }
      return new CallResult(texts, reasons, in, out, estimated, attempts);
    }

    Completion toCompletion(int calls) {
      return new Completion(
          texts, finishReasons, promptTokens, completionTokens, estimated, calls, attempts);
    }
  }

  /** What one HTTP attempt came to: a result, or an error that may be worth retrying. */
  private record Outcome(
      CallResult result, int status, String error, boolean retryable, Duration retryAfter) {
    static Outcome ok(CallResult r) {
      return new Outcome(r, 200, "", false, null);
    }

    static Outcome failed(int status, String error, boolean retryable, Duration retryAfter) {
      return new Outcome(null, status, error, retryable, retryAfter);
    }
  }

  private CompletableFuture<CallResult> call(
      String prompt, int n, Long seed, AttemptUsage usage) {
    byte[] body = requestBody(prompt, n, seed);
    CompletableFuture<CallResult> out = new CompletableFuture<>();
    attempt(body, prompt, n, 1, out, usage);
    return out;
  }

  /**
   * The tokens one request may use, for the tokens-per-minute budget: the prompt's estimate plus
   * {@code max_tokens} per choice (what hosted APIs count against the limit when they admit a
   * request), or the prompt's size again per choice when no {@code max_tokens} is sent (a
   * translation is about as long as its source).
   */
  long tokenEstimate(String prompt, int n) {
    long in = estimateTokens(prompt);
    long outPerChoice = config.maxTokens() > 0 ? config.maxTokens() : in;
    return in + outPerChoice * n;
  }

  private void attempt(
      byte[] body, String prompt, int n, int attemptNo, CompletableFuture<CallResult> out,
      AttemptUsage usage) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    HttpRequest built = request.build();
    limiter
        .acquire(tokenEstimate(prompt, n))
        .whenComplete(
            (permit, refused) -> {
              if (refused != null) {
                settle(Outcome.failed(-1, "no permit to send: " + refused.getClass().getSimpleName(),
                    false, null), body, prompt, n, attemptNo, out, usage);
                return;
              }
              CompletableFuture<HttpResponse<String>> sent;
              try {
                sent =
                    http.sendAsync(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
              } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
              }
              sent.whenComplete(
                  (response, error) -> {
                    Outcome outcome;
                    try {
                      outcome =
                          error != null ? fromError(error) : fromResponse(response, prompt, n);
                    } catch (RuntimeException e) {
                      outcome = Outcome.failed(-1, "unexpected " + e.getClass().getSimpleName(),
                          false, null);
                    }
                    release(permit, outcome);
                    if (outcome.result() != null) {
                      try {
                        usage.paid(outcome.result().promptTokens,
                            outcome.result().completionTokens);
                      } catch (RuntimeException e) {
                        // Accounting must not lose the answer.
                      }
                    }
                    settle(outcome, body, prompt, n, attemptNo, out, usage);
                  });
            });
  }

  /** Tells the limiter how the attempt went: success, overload (429/503) or anything else. */
  private static void release(AdaptiveLimiter.Permit permit, Outcome outcome) {
    if (outcome.result() != null) {
      permit.succeeded(outcome.result().promptTokens + outcome.result().completionTokens);
    } else if (RetryPolicy.honoursRetryAfter(outcome.status())) {
      // A 429 was refused before any work: its tokens were not used. A 503 may have been half done.
      permit.overloaded(outcome.retryAfter(), outcome.status() == 429);
    } else {
      permit.failed();
    }
  }

  private void settle(
      Outcome outcome,
      byte[] body,
      String prompt,
      int n,
      int attemptNo,
      CompletableFuture<CallResult> out,
      AttemptUsage usage) {
    if (outcome.result() != null) {
      CallResult r = outcome.result();
      out.complete(new CallResult(r.texts, r.finishReasons, r.promptTokens, r.completionTokens,
          r.estimated, attemptNo));
      return;
    }
    if (outcome.retryable() && attemptNo < config.maxAttempts()) {
      Duration delay =
          outcome.retryAfter() != null
              ? RetryPolicy.afterRetryAfter(outcome.retryAfter(), config.backoffBase())
              : RetryPolicy.backoff(attemptNo, config.backoffBase(), config.backoffCap());
      try {
        scheduler.schedule(
            () -> attempt(body, prompt, n, attemptNo + 1, out, usage),
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException closed) {
        out.completeExceptionally(
            failure(outcome, attemptNo, "; client closed before the next attempt"));
        return;
      }
    }
    out.completeExceptionally(failure(outcome, attemptNo, ""));
  }

  private BackendException failure(Outcome outcome, int attempts, String suffix) {
    String what =
        outcome.retryable()
            ? "failed after " + attempts + (attempts == 1 ? " attempt" : " attempts")
            : "failed permanently (attempt " + attempts + ")";
    String message =
        "model " + config.model() + " at " + uri + " " + what + ": " + outcome.error() + suffix;
    return new BackendException(redact(message), outcome.status(), attempts, outcome.retryable());
  }

  private Outcome fromError(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpConnectTimeoutException) {
      return Outcome.failed(-1, "connect timed out after " + config.connectTimeout(), true, null);
    }
    if (e instanceof HttpTimeoutException) {
      return Outcome.failed(-1, "timed out after " + config.requestTimeout(), true, null);
    }
    if (e instanceof IOException) {
      String detail = e.getMessage() == null ? "" : ": " + excerpt(e.getMessage());
      return Outcome.failed(-1, "I/O error " + e.getClass().getSimpleName() + detail, true, null);
    }
    return Outcome.failed(-1, "error " + e.getClass().getSimpleName(), false, null);
  }

  private Outcome fromResponse(HttpResponse<String> response, String prompt, int n) {
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    if (status < 200 || status >= 300) {
      Duration retryAfter = null;
      if (RetryPolicy.honoursRetryAfter(status)) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        retryAfter =
            header.flatMap(h -> RetryPolicy.parseRetryAfter(h, Instant.now())).orElse(null);
      }
      return Outcome.failed(
          status,
          "HTTP " + status + (body.isBlank() ? " (empty body)" : ": " + excerpt(body)),
          RetryPolicy.isRetryableStatus(status),
          retryAfter);
    }
    if (body.isBlank()) {
      return Outcome.failed(status, "HTTP " + status + " with an empty body", true, null);
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return Outcome.failed(status, "HTTP " + status + " body is not JSON: " + excerpt(body), true,
          null);
    }
    try {
      CompletionBody.Parsed p = CompletionBody.parse(root, config.endpoint(), prompt, n);
      return Outcome.ok(new CallResult(p.texts(), p.finishReasons(), p.promptTokens(),
          p.completionTokens(), p.estimated(), 0));
    } catch (CompletionBody.Malformed e) {
      return Outcome.failed(status,
          e.getMessage() + (e.retryable() ? ": " + excerpt(body) : ""), e.retryable(), null);
    }
  }

  private byte[] requestBody(String prompt, int n, Long seed) {
    try {
      return JSON.writeValueAsBytes(requestJson(config, prompt, n, seed));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a request body", e);
    }
  }

  /**
   * The body of one request for {@code prompt} with {@code n} choices and {@code seed} (or none):
   * exactly what a live call sends, so that a batch request line ({@code body}) asks the same.
   */
  public static ObjectNode requestJson(BackendConfig config, String prompt, int n, Long seed) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    if (config.endpoint() == BackendConfig.Endpoint.CHAT) {
      ArrayNode messages = body.putArray("messages");
      messages.addObject().put("role", "user").put("content", prompt);
    } else {
      body.put("prompt", prompt);
    }
    if (n > 1) {
      body.put("n", n); // omitted for 1: some servers reject the field outright
    }
    if (!Double.isNaN(config.temperature())) {
      body.put("temperature", config.temperature());
    }
    if (!Double.isNaN(config.topP())) {
      body.put("top_p", config.topP());
    }
    if (config.maxTokens() > 0) {
      body.put("max_tokens", config.maxTokens());
    }
    if (seed != null) {
      body.put("seed", seed);
    }
    body.put("stream", false);
    ExtraBody.mergeInto(body, config.extraBody());
    return body;
  }

  /** A short, single-line, key-free excerpt of a response body or error message. */
  private String excerpt(String text) {
    // Redact before cutting: a cut through the key would leave a prefix of it behind.
    String oneLine = redact(text).replaceAll("\\s+", " ").strip();
    return oneLine.length() <= EXCERPT_CHARS ? oneLine : oneLine.substring(0, EXCERPT_CHARS) + "…";
  }

  private String redact(String text) {
    return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, REDACTED);
  }

  /** Lets queued retries run, refuses new ones. The HTTP client itself needs no closing. */
  @Override
  public void close() {
    scheduler.shutdown();
  }

  @Override
  public String toString() {
    return "OpenAiCompatibleClient{"
        + config.model()
        + " at "
        + uri
        + (apiKey == null ? ", no key"
            : config.apiKeyEnv().isEmpty() ? ", key from secret " + config.apiKeySecret()
            : ", key from $" + config.apiKeyEnv())
        + ", concurrency "
        + config.concurrency()
        + (config.adaptive() ? " (adaptive)" : "")
        + (config.tokensPerMinute() > 0 ? ", " + config.tokensPerMinute() + " tokens/min" : "")
        + (config.requestsPerMinute() > 0 ? ", " + config.requestsPerMinute() + " requests/min"
            : "")
        + "}";
  }
}
