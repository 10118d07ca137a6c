package dev.tarjama.models.reward;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.onnx.ModelLoadException;
import dev.tarjama.models.onnx.OnnxSessions;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A reward model on ONNX Runtime: scores how good a candidate is for a source, one scalar per
 * (source, candidate) pair, as a Bradley–Terry reward model does (higher is better; only
 * differences between candidates of one source mean anything).
 *
 * <p>A pair is written out with the configuration's {@link ChatTemplate}, tokenized with the
 * model's {@code tokenizer.json} (DJL's Hugging Face tokenizers, offline; DJL's default truncation
 * to 512 tokens is off, no special tokens are added beyond the template's own), and, when longer
 * than {@code max_tokens}, cut from the configured side ({@link Encoded#truncated()} says so, for a
 * counter). A batch is right-padded with the pad id and an attention mask of 0.
 *
 * <p>Loading checks the export: inputs {@code input_ids} and {@code attention_mask} (int64; {@code
 * position_ids} is fed too when the graph has it) and output {@code logits} [batch, 1]; other names
 * fail with a {@link ModelLoadException} naming the expected and the found names. CPU by default;
 * CUDA when the configuration asks for it and the {@code onnxruntime_gpu} jar is on the class path
 * ({@code mvn -Pgpu}), else it falls back to CPU and says so ({@link #providerNote()}).
 *
 * <p>Thread-safe: one instance serves every thread of a worker.
 */
public final class RewardModel implements AutoCloseable {

  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String POSITION_IDS = "position_ids";
  public static final String LOGITS = "logits";

  /** One formatted, tokenized pair. */
  public record Encoded(long[] ids, int fullLength) {
    /** Whether the pair was longer than the model's maximum and lost tokens. */
    public boolean truncated() {
      return fullLength > ids.length;
    }
  }

  private final RewardModelConfig config;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean feedsPositions;
  private final String provider;
  private final String providerNote;

  private RewardModel(
      RewardModelConfig config,
      OrtEnvironment env,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      boolean feedsPositions,
      String provider,
      String providerNote) {
    this.config = config;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.feedsPositions = feedsPositions;
    this.provider = provider;
    this.providerNote = providerNote;
  }

  /** The model in {@code dir} with its own settings, on CPU. */
  public static RewardModel load(Path dir) {
    return load(RewardModelConfig.of(dir));
  }

  /**
   * Loads and checks a reward model.
   *
   * @throws ModelLoadException naming the file: missing, not ONNX, not a tokenizer, or an export
   *     whose input/output names or logits shape are not a reward model's
   */
  public static RewardModel load(RewardModelConfig config) {
    Path dir = config.path();
    Path modelFile = dir.resolve(RewardModelConfig.MODEL);
    Path tokenizerFile = dir.resolve(RewardModelConfig.TOKENIZER);
    for (Path required : List.of(modelFile, tokenizerFile)) {
      if (!Files.isRegularFile(required)) {
        throw new ModelLoadException(required, "reward model file not found");
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OnnxSessions.Opened<OrtSession> opened = OnnxSessions.open(
        "reward model " + config.modelDir(), config.provider() == ExecutionProvider.CUDA,
        config.cudaDeviceId(), config.intraOpThreads(), modelFile,
        options -> OnnxSessions.session(env, options, modelFile));
    OrtSession session = opened.sessions();
    String provider = opened.provider();
    String note = opened.note();
    try {
      boolean positions = checkSignature(modelFile, session);
      HuggingFaceTokenizer tokenizer = tokenizer(tokenizerFile);
      return new RewardModel(config, env, session, tokenizer, positions, provider, note);
    } catch (RuntimeException e) {
      try {
        session.close();
      } catch (OrtException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Returns whether the graph also wants {@code position_ids}. */
  private static boolean checkSignature(Path file, OrtSession session) {
    Set<String> inputs = new TreeSet<>(session.getInputNames());
    Set<String> outputs = new TreeSet<>(session.getOutputNames());
    Set<String> allowed = Set.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS);
    if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)
        || !allowed.containsAll(inputs) || !outputs.contains(LOGITS)) {
      throw new ModelLoadException(
          file,
          "input/output names do not match a reward model: expected inputs [" + INPUT_IDS + ", "
              + ATTENTION_MASK + "] (optionally " + POSITION_IDS + ") and output [" + LOGITS
              + "], found inputs " + inputs + " and outputs " + outputs);
    }
    try {
      for (Map.Entry<String, NodeInfo> in : session.getInputInfo().entrySet()) {
        if (in.getValue().getInfo() instanceof TensorInfo t && t.type != OnnxJavaType.INT64) {
          throw new ModelLoadException(
              file, "input " + in.getKey() + " must be int64, found " + t.type);
        }
      }
      if (session.getOutputInfo().get(LOGITS).getInfo() instanceof TensorInfo t) {
        long[] shape = t.getShape();
        if (shape.length != 2 || shape[1] > 1) {
          throw new ModelLoadException(
              file,
              "output " + LOGITS + " must be [batch, 1] (a scalar reward head), found "
                  + Arrays.toString(shape));
        }
      }
    } catch (OrtException e) {
      throw new ModelLoadException(file, "cannot read the graph's signature: " + e.getMessage(), e);
    }
    return inputs.contains(POSITION_IDS);
  }

  private static HuggingFaceTokenizer tokenizer(Path file) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    try {
      return HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .optPadding(false)
          .optWithOverflowingTokens(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(file, "not a loadable tokenizer: " + e.getMessage(), e);
    }
  }

  /** The pair as the model reads it: template, tokens, cut to {@code max_tokens}. */
  public Encoded encode(String source, String candidate) {
    long[] ids = tokenize(config.template().format(source, candidate));
    int max = config.maxTokens();
    if (ids.length <= max) {
      return new Encoded(ids, ids.length);
    }
    long[] kept =
        config.truncationSide() == TruncationSide.LEFT
            ? Arrays.copyOfRange(ids, ids.length - max, ids.length)
            : Arrays.copyOf(ids, max);
    return new Encoded(kept, ids.length);
  }

  private long[] tokenize(String text) {
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    try {
      return TokenizersLibrary.LIB.getTokenIds(encoding);
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /** Rewards of one batch of encoded pairs, in order (one model run). */
  public double[] score(List<Encoded> batch) throws OrtException {
    int n = batch.size();
    if (n == 0) {
      return new double[0];
    }
    int length = 1;
    for (Encoded e : batch) {
      length = Math.max(length, e.ids().length);
    }
    long[] ids = new long[n * length];
    long[] mask = new long[n * length];
    long[] positions = feedsPositions ? new long[n * length] : null;
    Arrays.fill(ids, config.padTokenId());
    for (int i = 0; i < n; i++) {
      long[] row = batch.get(i).ids();
      System.arraycopy(row, 0, ids, i * length, row.length);
      Arrays.fill(mask, i * length, i * length + row.length, 1L);
      if (positions != null) {
        for (int j = 0; j < length; j++) {
          positions[i * length + j] = Math.min(j, Math.max(0, row.length - 1));
        }
      }
    }
    long[] shape = {n, length};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (positions != null) {
        inputs.put(POSITION_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(LOGITS))) {
        float[][] logits = (float[][]) result.get(0).getValue();
        if (logits.length != n) {
          throw new IllegalStateException(
              "the reward model returned " + logits.length + " rows for " + n + " pairs");
        }
        double[] rewards = new double[n];
        for (int i = 0; i < n; i++) {
          rewards[i] = logits[i][0];
        }
        return rewards;
      }
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  /** Rewards of {@code candidates.get(i)} for {@code sources.get(i)}, as one batch. */
  public double[] score(List<String> sources, List<String> candidates) throws OrtException {
    if (sources.size() != candidates.size()) {
      throw new IllegalArgumentException(
          sources.size() + " sources but " + candidates.size() + " candidates");
    }
    List<Encoded> batch = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      batch.add(encode(sources.get(i), candidates.get(i)));
    }
    return score(batch);
  }

  public RewardModelConfig config() {
    return config;
  }

  /** The provider that runs the session: "CPU" or "CUDA:n". */
  public String provider() {
    return provider;
  }

  /** Why the requested provider is not the one that runs; empty when it is. */
  public String providerNote() {
    return providerNote;
  }

  public String describe() {
    return "reward model " + config.modelDir() + " on " + provider;
  }

  @Override
  public void close() throws OrtException {
    try {
      session.close();
    } finally {
      tokenizer.close();
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
