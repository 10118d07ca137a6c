package dev.tarjama.models.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' one fake OpenAI-compatible server: a real HTTP server on 127.0.0.1 (an ephemeral
 * port) for tests of the translate, judge and batch paths here and in the pipelines module (it
 * ships in the transforms test-jar). One server can serve a whole run (translate, judge and batch
 * against one base URL), as one vLLM or gateway would.
 *
 * <p>It serves {@code POST /v1/chat/completions} (the last user message is the prompt) and {@code
 * POST /v1/completions} ({@code prompt}), with {@code n}, {@code seed}, {@code usage} and the
 * request's {@code model} echoed. A prompt is answered by one of its answerers: the judge's ({@link
 * JudgeAnswers}, {@link Builder#judge}) when it is the strict judge prompt and a judge is set,
 * else a route's {@link Oracle} ({@link Builder#route}), else the translator ({@link
 * TranslatorAnswers}): the prompt must carry the configured instruction ({@link
 * Builder#promptPrefix}, {@link Builder#promptSuffix}; else 400) and choice {@code i} of a request
 * with seed {@code s} is the transliteration variant {@code s+i}. The OpenAI batch API ({@link
 * BatchEndpoints}: files and batches) is on the same server ({@link #batches()}), its lines
 * answered by the completions endpoint.
 *
 * <p>Faults, to exercise clients: per request number ({@link Builder#faultOnRequest}), per prompt
 * fragment ({@link Builder#faultWhenPromptContains}), on a seeded random share of requests ({@link
 * Builder#randomFaults}) or always ({@link Builder#alwaysFail}): a status with or without {@code
 * Retry-After}, a delay before answering (a timeout for a client with a shorter one), a non-JSON,
 * an empty or a truncated 200 body. Pressure, to exercise limiters and measure throughput: a fixed
 * service time per request ({@link Builder#serviceTime}) with {@link Builder#threads} handler
 * threads (requests beyond them queue, as on a GPU server with a batch limit), and a concurrency
 * cap above which requests are answered 429 ({@link #rejectAbove}, changeable while running). A
 * {@link Meter} counts requests and tokens served over a window. {@link Builder#lengthLimit} cuts
 * answers at {@code max_tokens} words with {@code finish_reason: length}. {@link
 * Builder#placeholderFault} makes chosen variants drop or translate their placeholders, for
 * validation tests downstream. {@link Builder#requiredApiKey} answers 401 to requests without
 * {@code Authorization: Bearer KEY}.
 *
 * <p>Bounded: a fixed pool of handler threads, a request log of at most {@value #LOG_LIMIT}
 * entries, request bodies of at most 4 MiB. {@link #close()} stops it and interrupts delays.
 */
public final class FakeOpenAiServer implements AutoCloseable {
  static final int LOG_LIMIT = 10_000;
  private static final int MAX_BODY = 4 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A scripted answer: the completion text and its {@code finish_reason}. */
  public record Answer(String text, String finishReason) {}

  /** Answers a route's requests from the text between the prompt's prefix and suffix. */
  @FunctionalInterface
  public interface Oracle {
    Answer answer(String text);
  }

  /** A way to answer one request badly. */
  public record Fault(Kind kind, int status, String retryAfter, Duration delay) {
    public enum Kind {
      STATUS,
      DELAY,
      NON_JSON,
      EMPTY_BODY,
      ECHO_AUTHORIZATION,
      TRUNCATED
    }

    /** 429, with a Retry-After header unless {@code retryAfter} is null. */
    public static Fault tooManyRequests(String retryAfter) {
      return new Fault(Kind.STATUS, 429, retryAfter, Duration.ZERO);
    }

    /** 503, with a Retry-After header unless {@code retryAfter} is null. */
    public static Fault unavailable(String retryAfter) {
      return new Fault(Kind.STATUS, 503, retryAfter, Duration.ZERO);
    }

    /** Any status with a JSON error body. */
    public static Fault status(int status) {
      return new Fault(Kind.STATUS, status, null, Duration.ZERO);
    }

    /** Waits, then answers normally (too late for a client with a shorter timeout). */
    public static Fault delay(Duration delay) {
      return new Fault(Kind.DELAY, 200, null, delay);
    }

    /** 200 with an HTML body, as a misbehaving proxy sends. */
    public static Fault nonJson() {
      return new Fault(Kind.NON_JSON, 200, null, Duration.ZERO);
    }

    /**
     * A status whose error body quotes the request's Authorization header back, as careless
     * gateways do: a client must not let the key through into its errors.
     */
    public static Fault echoAuthorization(int status) {
      return new Fault(Kind.ECHO_AUTHORIZATION, status, null, Duration.ZERO);
    }

    /** 200 with no body at all. */
    public static Fault emptyBody() {
      return new Fault(Kind.EMPTY_BODY, 200, null, Duration.ZERO);
    }

    /**
     * 200 whose body stops halfway: the connection closes before the announced length arrived,
     * as when a proxy or the server dies mid-answer.
     */
    public static Fault truncated() {
      return new Fault(Kind.TRUNCATED, 200, null, Duration.ZERO);
    }

    /** What this fault looks like in a request log, e.g. {@code STATUS 429} or {@code NON_JSON}. */
    public String describe() {
      return switch (kind) {
        case STATUS, ECHO_AUTHORIZATION -> kind + " " + status;
        case DELAY -> kind + " " + delay.toMillis() + "ms";
        default -> kind.toString();
      };
    }
  }

  /**
   * One fault of each kind a real backend shows under load, for {@link Builder#randomFaults}: 429
   * and 503 (with Retry-After 0, so a test does not sit out long pauses), 500, a delay of {@code
   * delay} (a client whose timeout is shorter times out), a truncated, an empty and a non-JSON 200
   * body.
   */
  public static List<Fault> everyFaultKind(Duration delay) {
    return List.of(
        Fault.tooManyRequests("0"),
        Fault.unavailable("0"),
        Fault.status(500),
        Fault.delay(delay),
        Fault.truncated(),
        Fault.emptyBody(),
        Fault.nonJson());
  }

  /** Requests and tokens served between {@link #resetMeter()} and now. */
  public record Meter(
      long requests, long ok, long tokensIn, long tokensOut, long firstArrivalNanos,
      long lastAnswerNanos) {
    /** From the first arrival to the last answer, in seconds (0 before any request). */
    public double windowSeconds() {
      return requests == 0 ? 0 : (lastAnswerNanos - firstArrivalNanos) / 1e9;
    }
  }

  /** The share of requests {@link Builder#randomFaults} usually fails: one in five. */
  public static final double TWENTY_PERCENT = 0.2;

  /**
   * One request as received: its 1-based number, path, body, whether its key was right, and the
   * fault it was answered with ({@link Fault#describe()}; null when it was answered normally).
   */
  public record RecordedRequest(
      int number, String path, String body, boolean authorized, String fault) {}

  private record PromptRule(String fragment, AtomicInteger remaining, Fault fault) {}

  /** Configures a server; {@link #start()} opens it. */
  public static final class Builder {
    private final TranslatorAnswers translator = new TranslatorAnswers();
    private JudgeAnswers judge;
    private String requiredApiKey;
    private final Map<Integer, Fault> byNumber = new HashMap<>();
    private final List<PromptRule> byPrompt = new ArrayList<>();
    private Fault always;
    private boolean usage = true;
    private int threads = 16;
    private double randomShare;
    private long randomSeed;
    private List<Fault> randomKinds = List.of();
    private Duration serviceTime = Duration.ZERO;
    private String modelsId;
    private String modelsRoot;
    private boolean lengthLimited;
    private int defaultMaxTokens;
    private final Map<String, Oracle> routes = new HashMap<>();

    private List<String> models;

    private Builder() {}

    /**
     * Stop each choice at its length limit, as a real server does: a request's {@code max_tokens}
     * (else {@code defaultMaxTokens}; 0: none) in this server's tokens (words), the cut text
     * answered with {@code finish_reason: length}.
     */
    public Builder lengthLimit(int defaultMaxTokens) {
      lengthLimited = true;
      this.defaultMaxTokens = defaultMaxTokens;
      return this;
    }

    /**
     * Requests to {@code /NAME/v1/chat/completions} (and {@code /NAME/v1/completions}) are
     * answered by {@code oracle} instead of the transliteration: one backend per route, e.g. a
     * reference and its corruptions behind one server ({@link #baseUrl(String)}).
     */
    public Builder route(String name, Oracle oracle) {
      routes.put(Objects.requireNonNull(name), Objects.requireNonNull(oracle));
      return this;
    }

    /**
     * Serves {@code GET /v1/models} listing these model ids (checking the key like every other
     * request); without it the endpoint answers 404, as on a server that lacks it.
     */
    public Builder models(String... ids) {
      models = List.of(ids);
      return this;
    }

    /**
     * The instruction every translation prompt must start with (default {@link
     * TranslatorAnswers#HALA_PREFIX}).
     */
    public Builder promptPrefix(String value) {
      translator.prefix(value);
      return this;
    }

    /**
     * What every translation prompt must end with (default none; {@link
     * TranslatorAnswers#SEED_X_SUFFIX} for Seed-X).
     */
    public Builder promptSuffix(String value) {
      translator.suffix(value);
      return this;
    }

    /**
     * Strict judge prompts are answered by {@code answers} (accept/reject verdicts); every other
     * prompt still goes to the translator, so the same server can translate and judge.
     */
    public Builder judge(JudgeAnswers answers) {
      judge = Objects.requireNonNull(answers);
      return this;
    }

    /** Answer 401 unless a request carries {@code Authorization: Bearer key}. */
    public Builder requiredApiKey(String key) {
      requiredApiKey = key;
      return this;
    }

    /** Answer request number {@code number} (1-based, counting every API request) with a fault. */
    public Builder faultOnRequest(int number, Fault fault) {
      byNumber.put(number, fault);
      return this;
    }

    /**
     * Answer the first {@code times} requests whose prompt contains {@code fragment} with a fault
     * ({@code times} < 0: every one).
     */
    public Builder faultWhenPromptContains(String fragment, int times, Fault fault) {
      byPrompt.add(new PromptRule(fragment, new AtomicInteger(times < 0 ? Integer.MAX_VALUE
          : times), fault));
      return this;
    }

    /**
     * Answer a random {@code share} of requests (decided per request number by a generator seeded
     * with {@code seed}, so a run is reproducible) with one of {@code kinds}, chosen the same way.
     */
    public Builder randomFaults(double share, long seed, List<Fault> kinds) {
      if (share < 0 || share > 1 || kinds.isEmpty()) {
        throw new IllegalArgumentException("a share in [0, 1] and at least one fault kind");
      }
      randomShare = share;
      randomSeed = seed;
      randomKinds = List.copyOf(kinds);
      return this;
    }

    /**
     * Every answer takes this long (a model's service time), on one of {@link #threads} handler
     * threads: the server's capacity is {@code threads / serviceTime} requests per second.
     */
    public Builder serviceTime(Duration value) {
      serviceTime = Objects.requireNonNull(value);
      return this;
    }

    /** Answer every request with a fault. */
    public Builder alwaysFail(Fault fault) {
      always = fault;
      return this;
    }

    /** Variant {@code variant} (seed + choice index) mishandles placeholders. */
    public Builder placeholderFault(int variant, TranslatorAnswers.PlaceholderFault fault) {
      translator.placeholderFault(variant, fault);
      return this;
    }

    /** Leave {@code usage} out of responses (clients must estimate). */
    public Builder omitUsage() {
      usage = false;
      return this;
    }

    public Builder threads(int value) {
      threads = value;
      return this;
    }

    /**
     * Answer {@code GET /v1/models} with one model, {@code id} (and vLLM's {@code root}, the
     * weights it loaded, when not null); without this the endpoint is 404, as on servers that
     * have none.
     */
    public Builder reportsModel(String id, String root) {
      modelsId = Objects.requireNonNull(id);
      modelsRoot = root;
      return this;
    }

    public FakeOpenAiServer start() throws IOException {
      return new FakeOpenAiServer(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A translating server with the Hala prefix and no faults. */
  public static FakeOpenAiServer start() throws IOException {
    return builder().start();
  }

  private final Builder config;
  private final LoopbackHttp server;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private volatile int concurrencyCap = Integer.MAX_VALUE;
  private volatile String capRetryAfter;
  private final AtomicInteger capRejections = new AtomicInteger();
  private final Object meterLock = new Object();
  private long meterRequests;
  private long meterOk;
  private long meterTokensIn;
  private long meterTokensOut;
  private long meterFirst = Long.MAX_VALUE;
  private long meterLast = Long.MIN_VALUE;
  private final List<RecordedRequest> log = Collections.synchronizedList(new ArrayList<>());
  private final List<Integer> answered = Collections.synchronizedList(new ArrayList<>());

  private final BatchEndpoints batches;

  private FakeOpenAiServer(Builder config) throws IOException {
    this.config = config;
    this.server = LoopbackHttp.start("fake-openai", config.threads, 64, this::handle);
    this.batches = new BatchEndpoints(server.baseUrl());
  }

  /**
   * The batch API on this server ({@code /v1/files}, {@code /v1/batches}): its plans and counts.
   * Its lines are answered by this server's completions, so they count as requests here too.
   */
  public BatchEndpoints batches() {
    return batches;
  }

  /** {@code http://127.0.0.1:PORT/NAME/v1}: the base URL of a {@link Builder#route}. */
  public String baseUrl(String route) {
    return server.origin() + "/" + route + "/v1";
  }

  /** {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return server.baseUrl();
  }

  /** API requests received so far, faulted ones included. */
  public int requestCount() {
    return requests.get();
  }

  /** The most requests that were being handled at once. */
  public int maxConcurrentRequests() {
    return maxConcurrent.get();
  }

  /**
   * From now on, a request that arrives while {@code cap} are being handled is answered 429 (with
   * {@code Retry-After: retryAfter} unless null), like a hosted API's concurrency limit; {@link
   * Integer#MAX_VALUE} lifts the cap.
   */
  public void rejectAbove(int cap, String retryAfter) {
    capRetryAfter = retryAfter;
    concurrencyCap = cap;
  }

  /** Requests answered 429 by {@link #rejectAbove}. */
  public int capRejections() {
    return capRejections.get();
  }

  /** Requests being handled now. */
  public int concurrentRequests() {
    return concurrent.get();
  }

  /** Starts a new {@link #meter()} window. */
  public void resetMeter() {
    synchronized (meterLock) {
      meterRequests = 0;
      meterOk = 0;
      meterTokensIn = 0;
      meterTokensOut = 0;
      meterFirst = Long.MAX_VALUE;
      meterLast = Long.MIN_VALUE;
    }
  }

  /** Requests (answered normally: {@code ok}) and usage tokens since {@link #resetMeter()}. */
  public Meter meter() {
    synchronized (meterLock) {
      return new Meter(meterRequests, meterOk, meterTokensIn, meterTokensOut,
          meterRequests == 0 ? 0 : meterFirst, meterRequests == 0 ? 0 : meterLast);
    }
  }

  /** The request log, in arrival order (at most {@value #LOG_LIMIT} entries). */
  public List<RecordedRequest> requests() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /**
   * The numbers of the requests answered with translations (status 200, body written), in the
   * order they were answered: what a client can have received, unlike {@link #requests()}, which
   * also holds requests still in flight.
   */
  public List<Integer> answeredRequests() {
    synchronized (answered) {
      return List.copyOf(answered);
    }
  }

  /**
   * For each prompt whose last request (per seed: seeded candidates are separate requests) was
   * answered with a fault, those faults ({@link Fault#describe()}). A request that failed for good
   * must carry the error of exactly such a last answer.
   */
  public Map<String, List<String>> lastFaultsByPrompt() {
    Map<String, RecordedRequest> last = new HashMap<>();
    for (RecordedRequest r : requests()) {
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (IOException e) {
        continue;
      }
      String prompt =
          body.has("messages") ? lastUserMessage(body) : body.path("prompt").asText(null);
      if (prompt == null) {
        continue;
      }
      String key = prompt + "\u0000" + body.path("seed").asInt(0);
      RecordedRequest before = last.get(key);
      if (before == null || before.number() < r.number()) {
        last.put(key, r);
      }
    }
    Map<String, List<String>> byPrompt = new HashMap<>();
    last.forEach(
        (key, r) -> {
          if (r.fault() != null) {
            byPrompt
                .computeIfAbsent(key.substring(0, key.indexOf('\u0000')), p -> new ArrayList<>())
                .add(r.fault());
          }
        });
    return byPrompt;
  }

  /**
   * Per prompt, how each request carrying it was answered, in arrival order: {@link
   * Fault#describe()} or null for a normal answer. A prompt sent for several chunks (a repeated
   * system prompt) interleaves their attempts.
   */
  public Map<String, List<String>> answersByPrompt() {
    Map<String, List<String>> byPrompt = new HashMap<>();
    List<RecordedRequest> all = new ArrayList<>(requests());
    all.sort(java.util.Comparator.comparingInt(RecordedRequest::number));
    for (RecordedRequest r : all) {
      try {
        JsonNode body = JSON.readTree(r.body());
        String prompt =
            body.has("messages") ? lastUserMessage(body) : body.path("prompt").asText(null);
        if (prompt != null) {
          byPrompt.computeIfAbsent(prompt, p -> new ArrayList<>()).add(r.fault());
        }
      } catch (IOException e) {
        // not a request a client of ours sent
      }
    }
    return byPrompt;
  }

  /**
   * How the project's client ({@code OpenAiCompatibleClient}) words the error for a fault of this
   * {@link Fault#describe() description}, as the error message starts: {@code STATUS 503} →
   * {@code HTTP 503}, a delay → {@code timed out after}, and so on.
   */
  public static String clientErrorFor(String fault) {
    if (fault.startsWith("STATUS ")) {
      return "HTTP " + fault.substring("STATUS ".length());
    }
    if (fault.startsWith("DELAY")) {
      return "timed out after";
    }
    return switch (fault) {
      case "TRUNCATED" -> "I/O error";
      case "EMPTY_BODY" -> "HTTP 200 with an empty body";
      case "NON_JSON" -> "HTTP 200 body is not JSON";
      default -> throw new IllegalArgumentException("no client wording for " + fault);
    };
  }

  @Override
  public void close() {
    server.close();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Ends the handler thread's request as a concurrent one, once: {@link #send} calls it before the
   * answer goes out, since a client that has its answer may send the next request at once (counted
   * after the write, the two would overlap and a client limit of N would read as N + 1 here).
   */
  private static final ThreadLocal<Runnable> LEAVING = new ThreadLocal<>();

  private void handle(HttpExchange exchange) throws IOException {
    if (BatchEndpoints.serves(exchange.getRequestURI().getPath())) {
      // Files and batches are bookkeeping, not model calls: not counted, metered or capped.
      batches.handle(exchange);
      return;
    }
    long arrival = System.nanoTime();
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable leave = () -> {
      if (left.compareAndSet(false, true)) {
        concurrent.decrementAndGet();
      }
    };
    LEAVING.set(leave);
    long[] usage = new long[3]; // ok, tokens in, tokens out
    try (exchange) {
      if (now > concurrencyCap) {
        capRejections.incrementAndGet();
        requests.incrementAndGet();
        send(exchange, 429, error("over the concurrency limit of " + concurrencyCap),
            capRetryAfter);
        return;
      }
      serve(exchange, usage);
    } catch (IOException e) {
      // The client went away (it timed out on a delayed answer): nothing to answer.
    } finally {
      leave.run();
      LEAVING.remove();
      long end = System.nanoTime();
      synchronized (meterLock) {
        meterRequests++;
        meterOk += usage[0];
        meterTokensIn += usage[1];
        meterTokensOut += usage[2];
        meterFirst = Math.min(meterFirst, arrival);
        meterLast = Math.max(meterLast, end);
      }
    }
  }

  private void serve(HttpExchange exchange, long[] served) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Oracle oracle = null;
    int second = path.indexOf('/', 1);
    if (second > 0 && config.routes.containsKey(path.substring(1, second))) {
      oracle = config.routes.get(path.substring(1, second));
      path = path.substring(second);
    }
    if (path.equals("/v1/models") && config.modelsId != null
        && "GET".equals(exchange.getRequestMethod())) {
      ObjectNode list = JSON.createObjectNode().put("object", "list");
      ObjectNode model = list.putArray("data").addObject().put("id", config.modelsId)
          .put("object", "model").put("created", System.nanoTime()).put("owned_by", "loopback");
      if (config.modelsRoot != null) {
        model.put("root", config.modelsRoot);
      }
      send(exchange, 200, list, null);
      return;
    } else if (path.equals("/v1/models") && "GET".equals(exchange.getRequestMethod())) {
      serveModels(exchange);
      return;
    }
    boolean chat = path.equals("/v1/chat/completions");
    if (!chat && !path.equals("/v1/completions")) {
      send(exchange, 404, error("no such endpoint: " + path), null);
      return;
    }
    if (!"POST".equals(exchange.getRequestMethod())) {
      send(exchange, 405, error("use POST"), null);
      return;
    }
    byte[] raw = readBounded(exchange.getRequestBody());
    String body = new String(raw, StandardCharsets.UTF_8);
    int number = requests.incrementAndGet();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    boolean authorized =
        config.requiredApiKey == null || ("Bearer " + config.requiredApiKey).equals(auth);
    if (!authorized) {
      record(number, path, body, false, null);
      send(exchange, 401, error("invalid API key"), null);
      return;
    }
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      record(number, path, body, true, null);
      send(exchange, 400, error("request body is not JSON"), null);
      return;
    }
    if (request == null || !request.path("model").isTextual()) {
      record(number, path, body, true, null);
      send(exchange, 400, error("model is required"), null);
      return;
    }
    String prompt = chat ? lastUserMessage(request) : request.path("prompt").asText(null);
    if (prompt == null) {
      record(number, path, body, true, null);
      send(exchange, 400, error(chat ? "messages must end with a user message" : "prompt is "
          + "required"), null);
      return;
    }
    Fault fault = faultFor(number, prompt);
    record(number, path, body, true, fault == null ? null : fault.describe());
    if (!serviceTime().isZero()) {
      try {
        Thread.sleep(serviceTime().toMillis(), serviceTime().toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (fault != null) {
      switch (fault.kind()) {
        case STATUS -> {
          send(exchange, fault.status(), error("injected fault " + fault.status()),
              fault.retryAfter());
          return;
        }
        case NON_JSON -> {
          byte[] html = "<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.sendResponseHeaders(200, html.length);
          exchange.getResponseBody().write(html);
          return;
        }
        case EMPTY_BODY -> {
          exchange.sendResponseHeaders(200, -1);
          return;
        }
        case TRUNCATED -> {
          byte[] whole = JSON.writeValueAsBytes(error("this answer will be cut in half"));
          exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
          exchange.sendResponseHeaders(200, whole.length);
          exchange.getResponseBody().write(whole, 0, whole.length / 2);
          exchange.getResponseBody().flush();
          // Closing the exchange short of the announced length drops the connection: the client
          // reads EOF before the end of the body.
          throw new IOException("truncated on purpose");
        }
        case ECHO_AUTHORIZATION -> {
          send(exchange, fault.status(), error("rejected request with Authorization: " + auth),
              null);
          return;
        }
        case DELAY -> {
          try {
            Thread.sleep(fault.delay().toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
    if (config.judge != null && config.judge.recognizes(prompt)) {
      judge(exchange, chat, number, request, prompt, served);
      return;
    }
    String text = config.translator.textOf(prompt);
    if (text == null) {
      send(exchange, 400, error("prompt does not carry the expected instruction"), null);
      return;
    }
    int n = request.path("n").asInt(1);
    if (n < 1 || n > 128) {
      send(exchange, 400, error("n must be in [1, 128]"), null);
      return;
    }
    int seed = request.path("seed").asInt(0);
    ObjectNode response = JSON.createObjectNode();
    response.put("id", "loopback-" + number);
    response.put("object", chat ? "chat.completion" : "text_completion");
    response.put("created", 0);
    response.put("model", request.path("model").asText());
    ArrayNode choices = response.putArray("choices");
    long completionTokens = 0;
    for (int i = 0; i < n; i++) {
      int variant = seed + i;
      Answer answer =
          oracle == null ? config.translator.answer(text, variant) : oracle.answer(text);
      String translated = answer.text();
      String finish = answer.finishReason();
      int limit = request.path("max_tokens").asInt(config.defaultMaxTokens);
      if (config.lengthLimited && limit > 0 && words(translated) > limit) {
        translated = String.join(" ", List.of(translated.strip().split("\\s+")).subList(0, limit));
        finish = "length";
      }
      completionTokens += words(translated);
      ObjectNode choice = choices.addObject();
      choice.put("index", i);
      if (chat) {
        choice.putObject("message").put("role", "assistant").put("content", translated);
      } else {
        choice.put("text", translated);
      }
      choice.put("finish_reason", finish);
    }
    if (config.usage) {
      ObjectNode usage = response.putObject("usage");
      usage.put("prompt_tokens", words(prompt));
      usage.put("completion_tokens", completionTokens);
      usage.put("total_tokens", words(prompt) + completionTokens);
    }
    send(exchange, 200, response, null);
    answered.add(number);
    served[0] = 1;
    served[1] = words(prompt);
    served[2] = completionTokens;
  }

  /**
   * Answers a strict judge prompt: one choice with the verdict (whatever {@code n}), usage with
   * one completion token, or the status the judge was told to fail with.
   */
  private void judge(HttpExchange exchange, boolean chat, int number, JsonNode request,
      String prompt, long[] served) throws IOException {
    JudgeAnswers.Verdict verdict = config.judge.verdict(prompt);
    if (verdict.status() != 200) {
      send(exchange, verdict.status(), error("injected failure " + verdict.status()), null);
      return;
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("id", "judge-" + number);
    response.put("object", chat ? "chat.completion" : "text_completion");
    response.put("model", request.path("model").asText());
    ObjectNode choice = response.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", verdict.text());
    } else {
      choice.put("text", verdict.text());
    }
    choice.put("finish_reason", "stop");
    ObjectNode usage = response.putObject("usage");
    long promptTokens = prompt.split("\\s+").length;
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", 1);
    send(exchange, 200, response, null);
    answered.add(number);
    served[0] = 1;
    served[1] = promptTokens;
    served[2] = 1;
  }

  private void serveModels(HttpExchange exchange) throws IOException {
    if (config.models == null) {
      send(exchange, 404, error("no such endpoint: /v1/models"), null);
      return;
    }
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (config.requiredApiKey != null && !("Bearer " + config.requiredApiKey).equals(auth)) {
      send(exchange, 401, error("invalid API key"), null);
      return;
    }
    ObjectNode list = JSON.createObjectNode();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    for (String id : config.models) {
      data.addObject().put("id", id).put("object", "model").put("owned_by", "loopback");
    }
    send(exchange, 200, list, null);
  }

  private Duration serviceTime() {
    return config.serviceTime;
  }

  private void record(int number, String path, String body, boolean authorized, String fault) {
    synchronized (log) {
      if (log.size() < LOG_LIMIT) {
        log.add(new RecordedRequest(number, path, body, authorized, fault));
      }
    }
  }

  private Fault faultFor(int number, String prompt) {
    Fault f = config.byNumber.get(number);
    if (f != null) {
      return f;
    }
    if (config.randomShare > 0) {
      // One generator per request number: the same requests fail whatever the arrival order.
      java.util.SplittableRandom random =
          new java.util.SplittableRandom(config.randomSeed * 1_000_003L + number);
      if (random.nextDouble() < config.randomShare) {
        return config.randomKinds.get(random.nextInt(config.randomKinds.size()));
      }
    }
    for (PromptRule rule : config.byPrompt) {
      if (prompt.contains(rule.fragment())
          && rule.remaining().getAndUpdate(r -> r > 0 ? r - 1 : 0) > 0) {
        return rule.fault();
      }
    }
    return config.always;
  }

  private static String lastUserMessage(JsonNode request) {
    JsonNode messages = request.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      return null;
    }
    JsonNode last = messages.get(messages.size() - 1);
    return "user".equals(last.path("role").asText()) && last.path("content").isTextual()
        ? last.path("content").asText()
        : null;
  }

  private static long words(String s) {
    String t = s.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  private static ObjectNode error(String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", "loopback");
    return e;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body, String retryAfter)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (retryAfter != null) {
      exchange.getResponseHeaders().set("Retry-After", retryAfter);
    }
    Runnable leave = LEAVING.get();
    if (leave != null) {
      leave.run();
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      throw new IOException("request body over " + MAX_BODY + " bytes");
    }
    return bytes;
  }
}
