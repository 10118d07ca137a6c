package dev.tarjama.models.serve;

import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translator;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server over one local {@link Translator} ({@code tarjama serve}), so
 * that one GPU box serves many pipeline workers, and the project's API backend ({@link
 * dev.tarjama.models.openai.OpenAiCompatibleClient}) can talk to a local model.
 *
 * <p>An immutable configuration: {@link #over} with defaults, {@code with…} methods return a
 * copy, {@link #start} binds the port and returns the {@link RunningServer}.
 *
 * <p>Endpoints:
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: translates the last {@code user} message's content.
 *   <li>{@code POST /v1/completions}: translates {@code prompt} (a string, or an array of strings:
 *       choice {@code i·n + j} is candidate j of prompt i).
 *   <li>{@code GET /v1/models}: the one served model.
 *   <li>{@code GET /health}: {@code {"status": "ok"}}; open even when a key is required, for load
 *       balancers and readiness probes.
 * </ul>
 *
 * <p>Request fields: {@code model} must be absent or the served model name (else 404 {@code
 * model_not_found}, as vLLM answers), so a pipeline pointed at the wrong server fails at once;
 * {@code n}, {@code temperature}, {@code top_p}, {@code seed}, {@code max_tokens} (or {@code
 * max_completion_tokens}) map to a {@link Decoding} as {@link DecodingPolicy} says; {@code
 * max_tokens} bounds each choice as a whole; {@code stream: true}, and any field the server cannot
 * honour ({@code stop}, {@code logprobs: true}, {@code tools}, {@code response_format}, {@code
 * echo}, other servers' extensions, …) get a 400 naming the field ({@link RequestFields} lists
 * what is accepted, some fields only at their default value).
 *
 * <p>Prompts: a prompt rendered with one of the configured {@link PromptTemplate}s is unwrapped to
 * its text before translation (the model gets {@code Hello}, not {@code Translate from English to
 * Arabic: Hello}); a prompt that matches none is translated whole. Usage counts the model's own
 * tokens: {@code prompt_tokens} of the text it translated (once per prompt), {@code
 * completion_tokens} of every candidate. {@code finish_reason} is {@code length} only when the
 * model says the candidate was cut ({@link dev.tarjama.models.local.Translation#truncated()}:
 * by {@code max_tokens} or by its own length limit), else {@code stop}. Answers go out with
 * TCP_NODELAY, so keep-alive clients do not wait on a delayed ACK.
 *
 * <p>Bounds: one request brings at most {@link #withLimits maxPrompts} prompts, one translate call
 * carries at most {@code maxBatch} texts (a large request is spread over many calls), at most
 * {@code maxQueuedTexts} texts wait; batches are filled round-robin over the waiting requests, so
 * a small request is served while a large one is in progress; a request's texts not yet run when
 * it times out are dropped ({@link ServerStats#cancelledTexts()}).
 *
 * <p>Errors, as OpenAI's {@code {"error": {message, type, param, code}}}: 400 malformed JSON, a
 * missing or ill-typed field, {@code n} out of range, more prompts than the limit ({@code code}
 * {@code too_many_prompts}), an unsupported field ({@code param} names the field); 401 when a
 * key is configured and the request lacks {@code Authorization: Bearer KEY}; 404 unknown path or
 * model; 405 wrong method; 413 body over the limit; 429 with {@code Retry-After} (seconds) when the
 * queue has no room for the request's texts; 500 when the model fails; 503 when the model
 * did not answer within the request timeout or the server is shutting down. One line per error
 * goes to the log; request headers (so the key) never do.
 */
public final class TranslationServer implements Cloneable {
  private static final Logger LOG = LoggerFactory.getLogger(TranslationServer.class);

  // Set once, by the constructor or by with(…) on a fresh copy, before the server is shared.
  private Translator translator;
  private String modelName;
  private String host = "127.0.0.1";
  private int port = 8000;
  private List<PromptTemplate> templates = List.of();
  private Decoding decoding = Decoding.greedy();
  private String apiKey;
  private int maxBatch = 32;
  private Duration maxBatchDelay = Duration.ofMillis(5);
  private int modelThreads = 1;
  private int handlerThreads = 64;
  private int maxQueuedRequests = 1024;
  private int maxCandidates = 16;
  private int maxRequestBytes = 1 << 20;
  private Duration requestTimeout = Duration.ofMinutes(10);
  private Consumer<String> log = LOG::warn;
  private int maxPrompts = 256;
  private int maxQueuedTexts = 4096;

  private TranslationServer(Translator translator, String modelName) {
    this.translator = Objects.requireNonNull(translator, "translator");
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    validate();
  }

  /** A copy with {@code change} made, checked as a new server is. */
  private TranslationServer with(Consumer<TranslationServer> change) {
    TranslationServer copy;
    try {
      copy = (TranslationServer) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
    change.accept(copy);
    copy.validate();
    return copy;
  }

  private void validate() {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(decoding, "decoding");
    Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(log, "log");
    if (modelName.isBlank()) {
      throw new IllegalArgumentException("the served model name must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535] (0: any free port): " + port);
    }
    if (decoding.candidates() != 1) {
      throw new IllegalArgumentException("the configured decoding gives n per request; set 1 candidate");
    }
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("the API key must not be blank");
    }
    requireAtLeast(maxBatch, 1, "maxBatch");
    requireAtLeast(modelThreads, 1, "modelThreads");
    requireAtLeast(handlerThreads, 1, "handlerThreads");
    requireAtLeast(maxQueuedRequests, 1, "maxQueuedRequests");
    requireAtLeast(maxCandidates, 1, "maxCandidates");
    requireAtLeast(maxRequestBytes, 64, "maxRequestBytes");
    requireAtLeast(maxPrompts, 1, "maxPrompts");
    if (maxQueuedTexts < maxPrompts) {
      throw new IllegalArgumentException(
          "the queue (" + maxQueuedTexts + " texts) must hold one request of the most prompts ("
              + maxPrompts + ")");
    }
    if (maxBatchDelay.isNegative()) {
      throw new IllegalArgumentException("maxBatchDelay must not be negative: " + maxBatchDelay);
    }
    if (requestTimeout.isZero() || requestTimeout.isNegative()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
  }

  private static void requireAtLeast(int value, int min, String what) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be at least " + min + ": " + value);
    }
  }

  /**
   * A server for {@code translator} under the name {@code modelName}, with defaults: 127.0.0.1
   * port 8000, no prompt templates, greedy decoding, no key, micro-batches of up to 32 texts
   * gathered for up to 5 ms, 1 model thread, 64 request threads and 1024 queued connections, n up
   * to 16, bodies up to 1 MiB, up to 256 prompts per request and 4,096 texts waiting, 10 minutes
   * per request, errors logged through SLF4J.
   */
  public static TranslationServer over(Translator translator, String modelName) {
    return new TranslationServer(translator, modelName);
  }

  /** The interface to bind: 127.0.0.1 (default, this machine only) or 0.0.0.0 (every interface). */
  public TranslationServer withHost(String value) {
    return with(s -> s.host = value);
  }

  /** The port; 0 binds any free one ({@link RunningServer#port()} says which). */
  public TranslationServer withPort(int value) {
    return with(s -> s.port = value);
  }

  /** The templates whose wrapping is stripped from prompts before translation. */
  public TranslationServer withPromptTemplates(List<PromptTemplate> value) {
    return with(s -> s.templates = List.copyOf(value));
  }

  /**
   * The decoding for requests that do not ask otherwise (its strategy, seed and length limits;
   * {@link Decoding#candidates()} must be 1: requests choose n).
   */
  public TranslationServer withDecoding(Decoding value) {
    return with(s -> s.decoding = value);
  }

  /**
   * Requires {@code Authorization: Bearer value} on {@code /v1/…}; {@code null}: no key. The value
   * is kept in memory only: not in {@link #toString()}, logs or responses.
   */
  public TranslationServer withApiKey(String value) {
    return with(s -> s.apiKey = value);
  }

  /**
   * Micro-batching: at most {@code maxTexts} texts per translate call, gathered for at most {@code
   * maxDelay} after the first one arrives (0: only what is already waiting).
   */
  public TranslationServer withBatching(int maxTexts, Duration maxDelay) {
    return with(s -> {
      s.maxBatch = maxTexts;
      s.maxBatchDelay = maxDelay;
    });
  }

  /** Translate calls that may run at once (1 suits a GPU; more, a CPU model without inner threads). */
  public TranslationServer withModelThreads(int value) {
    return with(s -> s.modelThreads = value);
  }

  /**
   * Requests handled at once ({@code threads}; each waits for its batch) and requests queued
   * beyond them ({@code queued}; past that the connection is closed and clients retry).
   */
  public TranslationServer withRequestThreads(int threads, int queued) {
    return with(s -> {
      s.handlerThreads = threads;
      s.maxQueuedRequests = queued;
    });
  }

  /** The largest {@code n} a request may ask for. */
  public TranslationServer withMaxCandidates(int value) {
    return with(s -> s.maxCandidates = value);
  }

  /** The largest request body accepted; larger ones get 413. */
  public TranslationServer withMaxRequestBytes(int value) {
    return with(s -> s.maxRequestBytes = value);
  }

  /**
   * How long a request waits for its translation before a 503; its texts not yet run by then are
   * dropped, not run for nobody.
   */
  public TranslationServer withRequestTimeout(Duration value) {
    return with(s -> s.requestTimeout = value);
  }

  /** Where error lines go (one per 4xx/5xx answer; never headers or the key). */
  public TranslationServer withLog(Consumer<String> value) {
    return with(s -> s.log = value);
  }

  /**
   * Bounds on the work one request may bring and the work that may wait: at most {@code
   * maxPrompts} prompts per {@code /v1/completions} request (more: 400 naming the limit), and at
   * most {@code maxQueuedTexts} texts waiting for the model over all requests (a request that does
   * not fit: 429 with {@code Retry-After}); {@code maxQueuedTexts >= maxPrompts}.
   */
  public TranslationServer withLimits(int maxPrompts, int maxQueuedTexts) {
    return with(s -> {
      s.maxPrompts = maxPrompts;
      s.maxQueuedTexts = maxQueuedTexts;
    });
  }

  /**
   * A configured decoding from its command-line form: {@code greedy}, {@code beam:WIDTH} or {@code
   * sample} (temperature 1, top-p 1, seed 0).
   */
  public static Decoding parseDecoding(String spec) {
    return DecodingPolicy.parse(spec);
  }

  /** Binds the port and starts serving. The caller keeps owning the translator. */
  public RunningServer start() throws IOException {
    return new RunningServer(this);
  }

  Translator translator() {
    return translator;
  }

  public String modelName() {
    return modelName;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public List<PromptTemplate> promptTemplates() {
    return templates;
  }

  public Decoding decoding() {
    return decoding;
  }

  /** Whether requests must carry the key. */
  public boolean requiresKey() {
    return apiKey != null;
  }

  String apiKey() {
    return apiKey;
  }

  int maxBatch() {
    return maxBatch;
  }

  Duration maxBatchDelay() {
    return maxBatchDelay;
  }

  int modelThreads() {
    return modelThreads;
  }

  int handlerThreads() {
    return handlerThreads;
  }

  int maxQueuedRequests() {
    return maxQueuedRequests;
  }

  int maxCandidates() {
    return maxCandidates;
  }

  int maxRequestBytes() {
    return maxRequestBytes;
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  Consumer<String> log() {
    return log;
  }

  int maxPrompts() {
    return maxPrompts;
  }

  int maxQueuedTexts() {
    return maxQueuedTexts;
  }

  @Override
  public String toString() {
    return "TranslationServer{"
        + modelName
        + " at "
        + host
        + ":"
        + port
        + ", templates "
        + templates.stream().map(PromptTemplate::name).toList()
        + ", "
        + decoding.strategy()
        + (apiKey == null ? ", no key" : ", key required")
        + ", batches of up to "
        + maxBatch
        + " within "
        + maxBatchDelay.toMillis()
        + " ms}";
  }
}
