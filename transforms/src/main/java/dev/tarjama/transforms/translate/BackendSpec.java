package dev.tarjama.transforms.translate;

import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.BackendConfig.CandidateMode;
import dev.tarjama.models.openai.BackendConfig.Endpoint;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.translate.Decoding;
import dev.tarjama.models.translate.ExecutionProvider;
import dev.tarjama.transforms.inference.Batching;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One translation backend of a run, as given on the command line ({@code --backend=…},
 * repeatable): comma-separated {@code key=value} pairs, e.g.
 *
 * <pre>
 * name=gemma,kind=openai-chat,url=http://127.0.0.1:8000/v1,model=gemma-3-27b,prompt=hala,k=2,
 * temperature=0.3,max-tokens=1024,concurrency=16,retries=6,timeout=120s,key-env=GEMMA_API_KEY,
 * price-in=0.1,price-out=0.4,label=SFT_Gemma3_ranked
 * </pre>
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code name}</td><td>required; letters, digits, {@code _.-}; names the branch</td></tr>
 *   <tr><td>{@code kind}</td><td>{@code openai-chat} (default) or {@code openai-completions}</td></tr>
 *   <tr><td>{@code url}, {@code model}</td><td>required: API root ({@code …/v1}) and model</td></tr>
 *   <tr><td>{@code prompt}</td><td>{@code hala} (default), {@code hala-lfm2}, {@code hala-eval},
 *       {@code seed-x} or {@code file:PATH}
 *       (read when the spec is parsed, so workers need not see the file)</td></tr>
 *   <tr><td>{@code source-lang}, {@code target-lang}</td><td>fill {@code {source_lang}} /
 *       {@code {target_lang}} in custom prompts (English, Arabic)</td></tr>
 *   <tr><td>{@code k}</td><td>candidates per chunk (1)</td></tr>
 *   <tr><td>{@code candidates}</td><td>{@code n}: one request with {@code n=k} (default);
 *       {@code seeds}: k requests with seeds {@code seed+i}, for servers without {@code n}</td></tr>
 *   <tr><td>{@code seed}</td><td>base seed (none)</td></tr>
 *   <tr><td>{@code temperature}, {@code top-p}, {@code max-tokens}</td><td>sampling (server
 *       defaults when absent); an answer cut at {@code max-tokens} is asked once more with {@link
 *       #retryMaxTokens()}</td></tr>
 *   <tr><td>{@code concurrency}</td><td>requests in flight per worker JVM ({@value #DEFAULT_CONCURRENCY}); with {@code
 *       adaptive}, the most</td></tr>
 *   <tr><td>{@code adaptive}</td><td>{@code true} (default): the in-flight limit halves when the
 *       server answers 429 or 503 and grows back by about one per round trip (AIMD); {@code
 *       false}: always {@code concurrency}. Either way a {@code Retry-After} pauses every send of
 *       the backend until then</td></tr>
 *   <tr><td>{@code tpm}, {@code rpm}</td><td>tokens and requests per minute per worker JVM (no
 *       budget); tokens are estimated as the prompt's plus {@code max-tokens} per candidate and
 *       corrected by the server's usage</td></tr>
 *   <tr><td>{@code retries}</td><td>the most HTTP attempts per request, the first included
 *       (6)</td></tr>
 *   <tr><td>{@code backoff}, {@code backoff-cap}</td><td>first and largest retry delay (500ms,
 *       30s)</td></tr>
 *   <tr><td>{@code timeout}, {@code connect-timeout}</td><td>per request (120s) and per connect
 *       (10s); {@code 90}, {@code 90s}, {@code 1500ms}, {@code 2m}</td></tr>
 *   <tr><td>{@code key-env}</td><td>NAME of the environment variable holding the API key (none);
 *       the key itself is never part of a spec</td></tr>
 *   <tr><td>{@code key-secret}</td><td>a Google Secret Manager secret version holding the API key,
 *       {@code projects/P/secrets/S/versions/V}, read on each worker (Dataflow workers do not
 *       inherit the launcher's environment); the spec, and so the job, carries the name only</td></tr>
 *   <tr><td>{@code price-in}, {@code price-out}</td><td>USD per 1M prompt / completion tokens, for
 *       cost estimates (0)</td></tr>
 *   <tr><td>{@code label}</td><td>what the output's {@code source} shows for this backend's
 *       candidates (default: the name)</td></tr>
 *   <tr><td>{@code model-version}</td><td>any text naming the model's version (none); it enters
 *       the cache key, so changing it makes the backend translate again (any kind)</td></tr>
 *   <tr><td>{@code license}</td><td>the translator's licence, shown in the output's dataset card
 *       (any backend kind)</td></tr>
 *   <tr><td>{@code extra-body}</td><td>fields merged into every request body, for vLLM and other
 *       servers ({@code top_k}, {@code stop}, …): {@code @FILE.json} or inline JSON; part of the
 *       cache key</td></tr>
 *   <tr><td>{@code chat-template-kwargs}</td><td>a JSON object sent as {@code
 *       chat_template_kwargs}, e.g. {@code {"enable_thinking": false}}; part of the cache
 *       key</td></tr>
 * </table>
 *
 * <p>A local backend ({@code kind=local}, or {@code kind=onnx}) runs a translation model in-process
 * through {@link dev.tarjama.transforms.inference.RunInference}, e.g.
 *
 * <pre>
 * name=tiny-a,kind=local,path=testdata/models/tiny-en-ar-a,decoding=sample,k=2,temperature=0.8,
 * top-p=0.95,seed=7,provider=cpu,batch-size=32,batch-tokens=4096,buffering=500ms
 * </pre>
 *
 * <table>
 *   <caption>Keys of a local backend (besides name, kind, label, k, max-tokens, prices)</caption>
 *   <tr><td>{@code path}</td><td>required: the model directory as the workers see it (a Marian
 *       ONNX export as HF optimum writes it)</td></tr>
 *   <tr><td>{@code provider}</td><td>{@code cpu} (default) or {@code cuda}</td></tr>
 *   <tr><td>{@code decoding}</td><td>{@code greedy} (default when k=1), {@code beam} / {@code
 *       beam:W} (width W; default when k&gt;1, width max(4, k)) or {@code sample}</td></tr>
 *   <tr><td>{@code temperature}, {@code top-p}, {@code seed}</td><td>for {@code decoding=sample}
 *       only (1.0, 1.0, 0)</td></tr>
 *   <tr><td>{@code max-tokens}</td><td>the most tokens generated per sentence (256; also at most
 *       2 × source tokens + 10)</td></tr>
 *   <tr><td>{@code batch-size}, {@code batch-tokens}</td><td>the most chunks and chunk tokens per
 *       batch (32, 4096); the model's own batches are cut to the same limits</td></tr>
 *   <tr><td>{@code buffering}</td><td>the longest an incomplete batch waits (none: until the input
 *       ends), e.g. {@code 500ms}</td></tr>
 *   <tr><td>{@code shards}</td><td>batches of one length that may run at once, job-wide (1)</td></tr>
 * </table>
 *
 * <p>API keys ({@code url}, {@code model}, {@code prompt}, …) are rejected on a local backend and
 * local keys on an API backend. Unknown keys, repeated keys and bad values are rejected with a
 * message naming the key.
 */
public final class BackendSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Beam width when a local backend asks for k > 1 candidates and names no decoding. */
  static final int DEFAULT_BEAM = 4;

  /**
   * Requests in flight per worker JVM when the spec names none: several per slot of a GPU server
   * that batches 16 sequences or more, so that requests queued at the server cover the client's
   * own turnaround (a limit equal to the server's slots leaves a slot idle after every answer);
   * AIMD halves it when the server answers 429 or 503.
   */
  public static final int DEFAULT_CONCURRENCY = 64;

  /** The truncation retry's {@code max_tokens} when the backend sets none. */
  public static final int RETRY_MAX_TOKENS_UNSET = 4096;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
  private static final List<String> KEYS =
      List.of("name", "kind", "url", "model", "prompt", "source-lang", "target-lang", "k",
          "candidates", "seed", "temperature", "top-p", "max-tokens", "concurrency", "retries",
          "backoff", "backoff-cap", "timeout", "connect-timeout", "key-env", "key-secret",
          "price-in",
          "price-out", "label", "path", "decoding", "provider", "batch-tokens", "batch-size",
          "buffering", "shards", "adaptive", "tpm", "rpm", "model-version", "license",
          "extra-body", "chat-template-kwargs", "batch-price-in", "batch-price-out",
          "batch-discount", "batch-lines", "batch-bytes", "batch-retries");

  /** Keys that only a batch backend takes. */
  private static final List<String> BATCH_KEYS =
      List.of("batch-price-in", "batch-price-out", "batch-discount", "batch-lines", "batch-bytes",
          "batch-retries");

  /** Keys that only an API backend takes. */
  private static final List<String> API_KEYS =
      List.of("url", "model", "prompt", "source-lang", "target-lang", "candidates", "concurrency",
          "retries", "backoff", "backoff-cap", "timeout", "connect-timeout", "key-env",
          "key-secret", "adaptive", "tpm", "rpm", "extra-body", "chat-template-kwargs");

  /** Keys that only a local backend takes. */
  private static final List<String> LOCAL_KEYS =
      List.of("path", "decoding", "provider", "batch-tokens", "batch-size", "buffering", "shards");

  /** What a local backend's prompt renders: the text alone (a local MT model takes no prompt). */
  private static final PromptTemplate NO_PROMPT = PromptTemplate.of(PromptTemplate.TEXT);

  /** The protocol a backend speaks. */
  public enum Kind {
    OPENAI_CHAT("openai-chat", Endpoint.CHAT),
    OPENAI_COMPLETIONS("openai-completions", Endpoint.COMPLETIONS),
    /**
     * Chat requests sent as lines of OpenAI batch files ({@code /v1/files}, {@code /v1/batches})
     * by the launcher; cached as {@code openai-chat}, so a batch answer and a live one are one.
     */
    OPENAI_BATCH("openai-batch", Endpoint.CHAT),
    /**
     * Chat requests written as an OpenAI batch file for a local engine ({@code vllm run-batch}),
     * its output file read back; cached as {@code openai-chat}.
     */
    BATCH_FILE("batch-file", Endpoint.CHAT),
    /** An in-process model ({@link LocalModelConfig}); {@code onnx} is accepted as a synonym. */
    LOCAL("local", null);

    private final String id;
    private final Endpoint endpoint;

    Kind(String id, Endpoint endpoint) {
      this.id = id;
      this.endpoint = endpoint;
    }

    public String id() {
      return id;
    }

    /**
     * The kind a cache key names: a batch kind's requests are chat requests, so they share the
     * keys of {@code openai-chat} (same model, prompt and decoding: the same answer).
     */
    public String cacheId() {
      return this == OPENAI_BATCH || this == BATCH_FILE ? OPENAI_CHAT.id : id;
    }

    /** Whether requests go through batch files rather than live calls. */
    public boolean isBatch() {
      return this == OPENAI_BATCH || this == BATCH_FILE;
    }

    static Kind parse(String value) {
      if ("onnx".equals(value)) {
        return LOCAL;
      }
      for (Kind k : values()) {
        if (k.id.equals(value)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown backend kind '" + value + "'; known: openai-chat, openai-completions, "
              + "openai-batch, batch-file, local");
    }
  }

  private final String name;
  private final String label;
  private final Kind kind;
  private final int k;
  private final double priceIn;
  private final double priceOut;
  private final PromptTemplate prompt;
  private final BackendConfig config;
  private final LocalModelConfig local;
  private final String spec;
  private final String modelVersion;
  /** What the server reported about its model ({@link #withServerIdentity}); empty if nothing. */
  private final java.util.TreeMap<String, String> serverIdentity;
  /** A batch backend's settings; null for any other kind. */
  private final BatchSettings batch;

  private BackendSpec(
      String name,
      String label,
      Kind kind,
      int k,
      double priceIn,
      double priceOut,
      PromptTemplate prompt,
      BackendConfig config,
      LocalModelConfig local,
      String spec,
      String modelVersion,
      Map<String, String> serverIdentity,
      BatchSettings batch) {
    this.batch = batch;
    this.modelVersion = modelVersion;
    this.serverIdentity = new java.util.TreeMap<>(serverIdentity);
    this.name = name;
    this.label = label;
    this.kind = kind;
    this.k = k;
    this.priceIn = priceIn;
    this.priceOut = priceOut;
    this.prompt = prompt;
    this.config = config;
    this.local = local;
    this.spec = spec;
  }

  /** Parses the command-line form; see the class javadoc for the keys. */
  public static BackendSpec parse(String text) {
    Objects.requireNonNull(text, "backend spec");
    Map<String, String> values = new LinkedHashMap<>();
    for (String part : splitParts(text)) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "backend spec part '" + p + "' is not key=value (in: " + text + ")");
      }
      String key = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = p.substring(eq + 1).strip();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown backend spec key '" + key + "'; known: " + String.join(", ", KEYS));
      }
      if (values.put(key, value) != null) {
        throw new IllegalArgumentException("backend spec key '" + key + "' given twice");
      }
    }
    String name = required(values, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "backend name '" + name + "' must be letters, digits, '_', '.', '-'");
    }
    String label = values.getOrDefault("label", name);
    if (label.isEmpty() || label.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("backend " + name + ": label must be printable text");
    }
    Kind kind = Kind.parse(values.getOrDefault("kind", "openai-chat"));
    int k = intValue(values, "k", 1, 1, 64);
    if (kind == Kind.LOCAL) {
      for (String key : API_KEYS) {
        if (values.containsKey(key)) {
          throw new IllegalArgumentException(
              "backend " + name + ": " + key + " does not apply to kind=local (an in-process model)");
        }
      }
      LocalModelConfig local;
      try {
        local = localConfig(values, k);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("backend " + name + ": " + e.getMessage(), e);
      }
      double priceIn = doubleValue(values, "price-in", 0);
      double priceOut = doubleValue(values, "price-out", 0);
      if (priceIn < 0 || priceOut < 0) {
        throw new IllegalArgumentException("backend " + name + ": prices must be >= 0");
      }
      return new BackendSpec(name, label, kind, k, priceIn, priceOut, NO_PROMPT, null, local,
          text.strip(), values.getOrDefault("model-version", ""), Map.of(), null);
    }
    if (!kind.isBatch()) {
      for (String key : BATCH_KEYS) {
        if (values.containsKey(key)) {
          throw new IllegalArgumentException(
              "backend " + name + ": " + key + " applies to kind=openai-batch and batch-file only");
        }
      }
    }
    boolean batchFile = kind == Kind.BATCH_FILE;
    if (batchFile && !values.containsKey("path")) {
      throw new IllegalArgumentException(
          "backend " + name + ": kind=batch-file needs path=DIR (where the request and output "
              + "files go)");
    }
    boolean hasServer = !batchFile || values.containsKey("url");
    if (batchFile && !hasServer) {
      // No server to call or probe: the URL only completes the configuration.
      values.put("url", "http://batch-file.invalid/v1");
    }
    for (String key : LOCAL_KEYS) {
      if (values.containsKey(key) && !(batchFile && key.equals("path"))) {
        throw new IllegalArgumentException(
            "backend " + name + ": " + key + " applies to kind=local only");
      }
    }
    CandidateMode mode =
        switch (values.getOrDefault("candidates", "n")) {
          case "n" -> CandidateMode.SERVER_N;
          case "seeds" -> CandidateMode.SEEDED_CALLS;
          default ->
              throw new IllegalArgumentException(
                  "backend " + name + ": candidates must be 'n' or 'seeds'");
        };
    PromptTemplate prompt;
    try {
      prompt =
          PromptTemplate.resolve(values.getOrDefault("prompt", "hala"))
              .withLanguages(
                  values.getOrDefault("source-lang", "English"),
                  values.getOrDefault("target-lang", "Arabic"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("backend " + name + ": " + e.getMessage(), e);
    }
    BackendConfig config;
    try {
      config =
          BackendConfig.of(required(values, "url"), required(values, "model"))
              .withEndpoint(kind.endpoint)
              .withApiKeyEnv(values.getOrDefault("key-env", ""))
              .withApiKeySecret(values.getOrDefault("key-secret", ""))
              .withTemperature(doubleValue(values, "temperature", Double.NaN))
              .withTopP(doubleValue(values, "top-p", Double.NaN))
              .withMaxTokens(intValue(values, "max-tokens", 0, 0, Integer.MAX_VALUE))
              .withCandidateMode(mode)
              .withSeed(values.containsKey("seed") ? longValue(values, "seed") : null)
              .withConcurrency(intValue(values, "concurrency", DEFAULT_CONCURRENCY, 1, 4096))
              .withAdaptive(booleanValue(values, "adaptive", true))
              .withTokensPerMinute(intValue(values, "tpm", 0, 0, Integer.MAX_VALUE))
              .withRequestsPerMinute(intValue(values, "rpm", 0, 0, Integer.MAX_VALUE))
              .withMaxAttempts(intValue(values, "retries", 6, 1, 100))
              .withBackoff(
                  duration(values, "backoff", Duration.ofMillis(500)),
                  duration(values, "backoff-cap", Duration.ofSeconds(30)))
              .withRequestTimeout(duration(values, "timeout", Duration.ofSeconds(120)))
              .withConnectTimeout(duration(values, "connect-timeout", Duration.ofSeconds(10)))
              .withExtraBody(extraBody(values));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("backend " + name + ": " + e.getMessage(), e);
    }
    double priceIn = doubleValue(values, "price-in", 0);
    double priceOut = doubleValue(values, "price-out", 0);
    if (priceIn < 0 || priceOut < 0) {
      throw new IllegalArgumentException("backend " + name + ": prices must be >= 0");
    }
    BatchSettings batch = null;
    if (kind.isBatch()) {
      double discount = doubleValue(values, "batch-discount", 0.5);
      double batchIn = doubleValue(values, "batch-price-in", priceIn * discount);
      double batchOut = doubleValue(values, "batch-price-out", priceOut * discount);
      if (discount < 0 || batchIn < 0 || batchOut < 0) {
        throw new IllegalArgumentException("backend " + name + ": batch prices must be >= 0");
      }
      batch = new BatchSettings(batchIn, batchOut,
          intValue(values, "batch-lines", BatchSettings.MAX_LINES, 1, BatchSettings.MAX_LINES),
          longValue(values, "batch-bytes", BatchSettings.MAX_BYTES, 1024, BatchSettings.MAX_BYTES),
          intValue(values, "batch-retries", 2, 0, 100),
          values.getOrDefault("path", ""), hasServer, new java.util.TreeMap<>());
    }
    return new BackendSpec(name, label, kind, k, priceIn, priceOut, prompt, config, null,
        text.strip(), values.getOrDefault("model-version", ""), Map.of(), batch);
  }

  /** The user's {@code model-version=} ("" when not given). */
  public String modelVersion() {
    return modelVersion;
  }

  /**
   * What the server reported about this API backend's model ({@link
   * dev.tarjama.models.openai.ModelsProbe}), for the cache key; empty when it reported nothing.
   */
  public Map<String, String> serverIdentity() {
    return java.util.Collections.unmodifiableMap(serverIdentity);
  }

  /** This backend with what its server reported about its model. */
  public BackendSpec withServerIdentity(Map<String, String> identity) {
    return new BackendSpec(name, label, kind, k, priceIn, priceOut, prompt, config, local, spec,
        modelVersion, identity, batch);
  }

  /**
   * A local backend's model: {@code path}, {@code provider}, {@code decoding} ({@code greedy},
   * {@code beam}, {@code beam:W} or {@code sample}, with {@code temperature}, {@code top-p}, {@code
   * seed}), {@code max-tokens}, and batching ({@code batch-size}, {@code batch-tokens}, {@code
   * buffering}, {@code shards}).
   */
  private static LocalModelConfig localConfig(Map<String, String> values, int k) {
    String path = required(values, "path");
    ExecutionProvider provider = ExecutionProvider.parse(values.getOrDefault("provider", "cpu"));
    String decodingName =
        values.getOrDefault("decoding", k == 1 ? "greedy" : "beam:" + Math.max(DEFAULT_BEAM, k));
    boolean samplingKeys =
        values.containsKey("temperature") || values.containsKey("top-p")
            || values.containsKey("seed");
    Decoding decoding;
    if (decodingName.equals("sample")) {
      double temperature = doubleValue(values, "temperature", 1.0);
      double topP = doubleValue(values, "top-p", 1.0);
      if (temperature <= 0) {
        throw new IllegalArgumentException("temperature must be > 0 for decoding=sample");
      }
      if (topP <= 0 || topP > 1) {
        throw new IllegalArgumentException("top-p must be in (0, 1]");
      }
      long seed = values.containsKey("seed") ? longValue(values, "seed") : 0L;
      decoding = Decoding.sample(k, temperature, topP, seed);
    } else {
      if (samplingKeys) {
        throw new IllegalArgumentException(
            "temperature, top-p and seed apply to decoding=sample, not " + decodingName);
      }
      Decoding base = Decoding.greedy();
      if (decodingName.equals("greedy")) {
        decoding = k == 1 ? base : new Decoding(Decoding.Strategy.GREEDY, 1, k, 1.0, 1.0, 0L,
            base.maxLengthRatio(), base.maxLengthSlack(), base.maxLength());
      } else if (decodingName.equals("beam") || decodingName.startsWith("beam:")) {
        int width = Math.max(DEFAULT_BEAM, k);
        if (decodingName.startsWith("beam:")) {
          try {
            width = Integer.parseInt(decodingName.substring("beam:".length()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "decoding=" + decodingName + ": the beam width is not an integer");
          }
          if (width < 1 || width > 64) {
            throw new IllegalArgumentException(
                "decoding=" + decodingName + ": the beam width is outside [1, 64]");
          }
        }
        decoding = Decoding.beam(width, k);
      } else {
        throw new IllegalArgumentException(
            "decoding=" + decodingName + " is not greedy, beam, beam:W or sample");
      }
    }
    if (values.containsKey("max-tokens")) {
      decoding =
          decoding.withMaxLength(
              decoding.maxLengthRatio(),
              decoding.maxLengthSlack(),
              intValue(values, "max-tokens", 0, 1, 1_000_000));
    }
    Batching batching =
        Batching.of(
            intValue(values, "batch-size", Batching.DEFAULT.maxBatchSize(), 1, 65_536),
            intValue(values, "batch-tokens", (int) Batching.DEFAULT.maxBatchWeight(), 1,
                100_000_000),
            duration(values, "buffering", Duration.ZERO));
    return new LocalModelConfig(
        path, provider, decoding, batching, intValue(values, "shards", 1, 1, 4096));
  }

  /**
   * The spec's parts at its commas, except commas inside a JSON value ({@code {…}}, {@code […]},
   * quoted strings), so that {@code chat-template-kwargs={"a":1,"b":2}} stays one part.
   */
  static List<String> splitParts(String text) {
    List<String> parts = new java.util.ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"' && depth > 0) {
        quoted = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if ((c == '}' || c == ']') && depth > 0) {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }

  /**
   * {@code extra-body=@FILE.json} (read now, so workers need not see the file) or inline JSON,
   * with {@code chat-template-kwargs=JSON} as its {@code chat_template_kwargs}; canonical.
   */
  private static String extraBody(Map<String, String> values) {
    String extra = values.getOrDefault("extra-body", "");
    if (extra.startsWith("@")) {
      java.nio.file.Path file = java.nio.file.Path.of(extra.substring(1));
      try {
        extra = java.nio.file.Files.readString(file);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("extra-body: cannot read " + file + ": " + e, e);
      }
    }
    extra = dev.tarjama.models.openai.ExtraBody.canonical(extra);
    if (values.containsKey("chat-template-kwargs")) {
      extra = dev.tarjama.models.openai.ExtraBody.withField(
          extra, "chat_template_kwargs", values.get("chat-template-kwargs"));
    }
    return extra;
  }

  private static String required(Map<String, String> values, String key) {
    String v = values.get(key);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("backend spec needs " + key + "=…");
    }
    return v;
  }

  private static int intValue(Map<String, String> values, String key, int def, int min, int max) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) {
        throw new IllegalArgumentException(
            "backend spec " + key + "=" + v + " is outside [" + min + ", " + max + "]");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("backend spec " + key + "=" + v + " is not an integer");
    }
  }

  private static boolean booleanValue(Map<String, String> values, String key, boolean def) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              "backend spec " + key + "=" + v + " is not true or false");
    };
  }

  private static long longValue(
      Map<String, String> values, String key, long def, long min, long max) {
    if (!values.containsKey(key)) {
      return def;
    }
    long v = longValue(values, key);
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          "backend spec " + key + "=" + v + " is outside [" + min + ", " + max + "]");
    }
    return v;
  }

  private static long longValue(Map<String, String> values, String key) {
    String v = values.get(key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("backend spec " + key + "=" + v + " is not an integer");
    }
  }

  private static double doubleValue(Map<String, String> values, String key, double def) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("backend spec " + key + "=" + v + " is not a number");
    }
  }

  /** {@code 90} (seconds), {@code 90s}, {@code 1500ms}, {@code 2m}, {@code 1h}. */
  static Duration duration(Map<String, String> values, String key, Duration def) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "backend spec " + key + "=" + v + " is not a duration (e.g. 120s, 500ms, 2m)");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis =
        switch (unit) {
          case "ms" -> amount;
          case "s" -> amount * 1_000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }

  /** The CLI handle: names the branch, its counters' owner in error messages. */
  public String name() {
    return name;
  }

  /**
   * What {@link dev.tarjama.transforms.model.ChunkTranslation#backend} carries, and so what the
   * output's {@code source} and the win rates show.
   */
  public String label() {
    return label;
  }

  public Kind kind() {
    return kind;
  }

  /** Candidates per chunk. */
  public int k() {
    return k;
  }

  public PromptTemplate prompt() {
    return prompt;
  }

  /**
   * The client configuration (it names the key's variable, never holds the key); {@code null} for
   * a {@link Kind#LOCAL local} backend.
   */
  public BackendConfig config() {
    return config;
  }

  /** Whether this backend runs a model in-process ({@link #local()}) rather than calling an API. */
  public boolean isLocal() {
    return kind == Kind.LOCAL;
  }

  /** The model of a {@link Kind#LOCAL local} backend; {@code null} for an API backend. */
  public LocalModelConfig local() {
    return local;
  }

  /** Requests in flight per worker JVM; 1 for a local backend (it batches instead). */
  public int concurrency() {
    return config == null ? 1 : config.concurrency();
  }

  /** Whether requests go through batch files ({@link #batch()}) rather than live calls. */
  public boolean isBatch() {
    return kind.isBatch();
  }

  /** A batch backend's settings; null for any other kind. */
  public BatchSettings batch() {
    return batch;
  }

  /** This batch backend with the chunks its batch phase could not get (text hash → reason). */
  public BackendSpec withBatchFailures(Map<String, String> failures) {
    if (batch == null) {
      throw new IllegalStateException("backend " + name + " is not a batch backend");
    }
    return new BackendSpec(name, label, kind, k, priceIn, priceOut, prompt, config, local, spec,
        modelVersion, serverIdentity, batch.withFailures(failures));
  }

  /** USD per 1M prompt tokens. */
  public double priceIn() {
    return priceIn;
  }

  /** USD per 1M completion tokens. */
  public double priceOut() {
    return priceOut;
  }

  /**
   * HTTP requests per chunk without retries: 1 in n-mode, k with seeded calls; 1 for a local
   * backend (one pass of the model's encoder per chunk).
   */
  public int callsPerChunk() {
    return config == null || config.candidateMode() == CandidateMode.SERVER_N ? 1 : k;
  }

  /**
   * {@code max_tokens} of the one retry of a chunk whose translation stopped at the length limit:
   * twice {@code max-tokens}, or {@value #RETRY_MAX_TOKENS_UNSET} when {@code max-tokens} is unset
   * (the server's own default cut it).
   */
  public int retryMaxTokens() {
    if (config == null) {
      throw new IllegalStateException("backend " + name + " is local: it has no max_tokens");
    }
    return config.maxTokens() == 0
        ? RETRY_MAX_TOKENS_UNSET
        : (int) Math.min(Integer.MAX_VALUE, 2L * config.maxTokens());
  }

  /**
   * This API backend with {@link #retryMaxTokens()}: same name, label, prompt and prices, so its
   * calls and tokens count as this backend's; another {@code max_tokens}, hence other cache keys.
   */
  public BackendSpec forTruncationRetry() {
    int retry = retryMaxTokens();
    return new BackendSpec(
        name, label, kind, k, priceIn, priceOut, prompt, config.withMaxTokens(retry), null,
        spec + " (truncation retry, max-tokens=" + retry + ")", modelVersion, serverIdentity,
        batch);
  }

  /** This backend asking for {@code k} candidates per chunk instead (e.g. 1 for a judge). */
  public BackendSpec withK(int value) {
    if (local != null) {
      throw new IllegalArgumentException(
          "backend " + name + " is local: its candidates are its decoding's");
    }
    if (value < 1 || value > 64) {
      throw new IllegalArgumentException("backend " + name + ": k must be in [1, 64]: " + value);
    }
    return new BackendSpec(
        name, label, kind, value, priceIn, priceOut, prompt, config, local, spec + " (k=" + value + ")",
        modelVersion, serverIdentity, batch);
  }

  /** Estimated USD for this many tokens at this backend's prices. */
  public double costUsd(long tokensIn, long tokensOut) {
    return (tokensIn * priceIn + tokensOut * priceOut) / 1_000_000d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendSpec b
        && k == b.k
        && Double.compare(priceIn, b.priceIn) == 0
        && Double.compare(priceOut, b.priceOut) == 0
        && name.equals(b.name)
        && label.equals(b.label)
        && kind == b.kind
        && prompt.equals(b.prompt)
        && Objects.equals(config, b.config)
        && Objects.equals(local, b.local);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, label, kind, k, prompt, config, local);
  }

  /**
   * The translator's licence as given by {@code license=} (an SPDX id or a model licence name,
   * e.g. {@code gemma}, {@code apache-2.0}), for the dataset card; empty when not given. Read back
   * from the spec: it changes nothing about how the backend is called.
   */
  public String license() {
    for (String part : spec.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).strip().equalsIgnoreCase("license")) {
        return part.substring(eq + 1).strip();
      }
    }
    return "";
  }

  /** What the translator is: the model of an API backend, the directory of a local one. */
  public String model() {
    return isLocal() ? local.path() : config.model();
  }

  /** The spec as given (it cannot hold a key: keys come from environment variables or secrets). */
  @Override
  public String toString() {
    return spec;
  }
}
