package dev.tarjama.transforms.backend;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.openai.BackendConfig.CandidateMode;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.transforms.backend.BackendSpec.Kind;
import dev.tarjama.transforms.inference.Batching;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the command-line form of a {@link BackendSpec} ({@code --backend=key=value,…}; the keys
 * are listed there): splits it at its commas (not inside JSON values), rejects unknown, repeated
 * and misplaced keys (an API key on a local backend, a local or batch key elsewhere) and bad
 * values with a message naming the key, and fills in the defaults.
 */
final class BackendSpecParser {
  private BackendSpecParser() {}

  /** Beam width when a local backend asks for k > 1 candidates and names no decoding. */
  static final int DEFAULT_BEAM = 4;

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

  /** Parses the command-line form; see {@link BackendSpec} for the keys. */
  static BackendSpec parse(String text) {
    Objects.requireNonNull(text, "backend spec");
    Map<String, String> values = values(text);
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
    return kind == Kind.LOCAL
        ? local(text, values, name, label, k)
        : api(text, values, name, label, kind, k);
  }

  /** The spec's keys and values, in order; unknown and repeated keys rejected. */
  private static Map<String, String> values(String text) {
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
    return values;
  }

  /** A {@code kind=local} backend: an in-process model, no API keys. */
  private static BackendSpec local(
      String text, Map<String, String> values, String name, String label, int k) {
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
    double[] prices = prices(values, name);
    return new BackendSpec(name, label, Kind.LOCAL, k, prices[0], prices[1], NO_PROMPT, null, local,
        text.strip(), values.getOrDefault("model-version", ""), Map.of(), null);
  }

  /** An API backend (live or batch): its client configuration, prompt, prices. */
  private static BackendSpec api(
      String text, Map<String, String> values, String name, String label, Kind kind, int k) {
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
    CandidateMode mode = candidateMode(values, name);
    PromptTemplate prompt = prompt(values, name);
    BackendConfig config = config(values, name, kind, mode);
    double[] prices = prices(values, name);
    BatchSettings batch =
        kind.isBatch() ? batch(values, name, prices[0], prices[1], hasServer) : null;
    return new BackendSpec(name, label, kind, k, prices[0], prices[1], prompt, config, null,
        text.strip(), values.getOrDefault("model-version", ""), Map.of(), batch);
  }

  /** {@code candidates=n} (one request with n=k) or {@code seeds} (k seeded requests). */
  private static CandidateMode candidateMode(Map<String, String> values, String name) {
    return switch (values.getOrDefault("candidates", "n")) {
      case "n" -> CandidateMode.SERVER_N;
      case "seeds" -> CandidateMode.SEEDED_CALLS;
      default ->
          throw new IllegalArgumentException(
              "backend " + name + ": candidates must be 'n' or 'seeds'");
    };
  }

  /** An API backend's client configuration: server, model and request settings. */
  private static BackendConfig config(
      Map<String, String> values, String name, Kind kind, CandidateMode mode) {
    try {
      return BackendConfig.of(required(values, "url"), required(values, "model"))
          .withEndpoint(kind.endpoint())
          .withApiKeyEnv(values.getOrDefault("key-env", ""))
          .withApiKeySecret(values.getOrDefault("key-secret", ""))
          .withTemperature(doubleValue(values, "temperature", Double.NaN))
          .withTopP(doubleValue(values, "top-p", Double.NaN))
          .withMaxTokens(intValue(values, "max-tokens", 0, 0, Integer.MAX_VALUE))
          .withCandidateMode(mode)
          .withSeed(values.containsKey("seed") ? longValue(values, "seed") : null)
          .withConcurrency(
              intValue(values, "concurrency", BackendSpec.DEFAULT_CONCURRENCY, 1, 4096))
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
  }

  /** {@code prompt=} with the languages filled in. */
  private static PromptTemplate prompt(Map<String, String> values, String name) {
    try {
      return PromptTemplate.resolve(values.getOrDefault("prompt", "hala"))
          .withLanguages(
              values.getOrDefault("source-lang", "English"),
              values.getOrDefault("target-lang", "Arabic"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("backend " + name + ": " + e.getMessage(), e);
    }
  }

  /** {@code price-in} and {@code price-out}, USD per 1M tokens (0 when not given). */
  private static double[] prices(Map<String, String> values, String name) {
    double priceIn = doubleValue(values, "price-in", 0);
    double priceOut = doubleValue(values, "price-out", 0);
    if (priceIn < 0 || priceOut < 0) {
      throw new IllegalArgumentException("backend " + name + ": prices must be >= 0");
    }
    return new double[] {priceIn, priceOut};
  }

  /** A batch backend's prices (the live ones discounted unless given) and file limits. */
  private static BatchSettings batch(
      Map<String, String> values, String name, double priceIn, double priceOut,
      boolean hasServer) {
    double discount = doubleValue(values, "batch-discount", 0.5);
    double batchIn = doubleValue(values, "batch-price-in", priceIn * discount);
    double batchOut = doubleValue(values, "batch-price-out", priceOut * discount);
    if (discount < 0 || batchIn < 0 || batchOut < 0) {
      throw new IllegalArgumentException("backend " + name + ": batch prices must be >= 0");
    }
    return new BatchSettings(batchIn, batchOut,
        intValue(values, "batch-lines", BatchSettings.MAX_LINES, 1, BatchSettings.MAX_LINES),
        longValue(values, "batch-bytes", BatchSettings.MAX_BYTES, 1024, BatchSettings.MAX_BYTES),
        intValue(values, "batch-retries", 2, 0, 100),
        values.getOrDefault("path", ""), hasServer, new java.util.TreeMap<>());
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
}
