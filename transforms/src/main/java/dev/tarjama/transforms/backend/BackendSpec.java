package dev.tarjama.transforms.backend;

import dev.tarjama.models.openai.BackendConfig.CandidateMode;
import dev.tarjama.models.openai.BackendConfig.Endpoint;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.prompt.PromptTemplate;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

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


  /**
   * Requests in flight per worker JVM when the spec names none: several per slot of a GPU server
   * that batches 16 sequences or more, so that requests queued at the server cover the client's
   * own turnaround (a limit equal to the server's slots leaves a slot idle after every answer);
   * AIMD halves it when the server answers 429 or 503.
   */
  public static final int DEFAULT_CONCURRENCY = 64;

  /** The truncation retry's {@code max_tokens} when the backend sets none. */
  public static final int RETRY_MAX_TOKENS_UNSET = 4096;

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

    /** The API endpoint its requests go to; null for a local model. */
    Endpoint endpoint() {
      return endpoint;
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

  BackendSpec(
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
    return BackendSpecParser.parse(text);
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


  /** The CLI handle: names the branch, its counters' owner in error messages. */
  public String name() {
    return name;
  }

  /**
   * What {@link dev.tarjama.transforms.domain.ChunkTranslation#backend} carries, and so what the
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
