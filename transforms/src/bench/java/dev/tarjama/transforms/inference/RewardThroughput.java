package dev.tarjama.transforms.inference;

import static dev.tarjama.transforms.testing.PipelineMetrics.counter;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.reward.RewardModel;
import dev.tarjama.models.reward.RewardModelConfig;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.score.RewardModelHandler;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;

/**
 * Reward-scoring throughput (pairs/s) at batch 1, 8 and 32: {@link RunInference} with a {@link
 * RewardModelHandler} on the DirectRunner (as {@code tarjama translate} runs it: immutability check
 * off), next to a bare ONNX Runtime loop over the same batches — its own {@code OrtSession} and DJL
 * tokenizer, the same template and truncation, batches cut the way RunInference cuts them (length
 * bucket, then at most the batch size, lightest first), one thread. The ratio pipeline / bare is
 * the figure (floor 0.8). Pairs are the 500 held-out Tatoeba sentences with their human
 * translation and with themselves (English left untranslated), repeated to N.
 *
 * <p>System properties: {@code tarjama.bench.model} (default {@code testdata/models/tiny-reward}),
 * {@code tarjama.bench.provider} ({@code cpu} or {@code cuda}; cuda needs {@code mvn -Pgpu}),
 * {@code tarjama.bench.pairs} (N, 20000), {@code tarjama.bench.batches} (1,8,32), {@code
 * tarjama.bench.threads} (ONNX Runtime intra-op threads, 0 = its default), {@code
 * tarjama.bench.repeats} (3: bare and pipeline alternate, each figure is the median).
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * mvn -q -pl transforms -am test-compile -Dtransforms.bench=RewardThroughput \
 *     [-Dtransforms.bench.jvm="-Dtarjama.bench.pairs=… -Dtarjama.bench.provider=cuda …"]
 * </pre>
 */
public final class RewardThroughput {
  private RewardThroughput() {}

  public static void main(String[] args) throws Exception {
    Path testdata = Path.of(System.getProperty("tarjama.testdata", "testdata"));
    Path modelDir = Path.of(
        System.getProperty("tarjama.bench.model", testdata.resolve("models/tiny-reward").toString()));
    ExecutionProvider provider =
        ExecutionProvider.parse(System.getProperty("tarjama.bench.provider", "cpu"));
    int n = Integer.getInteger("tarjama.bench.pairs", 20000);
    int threads = Integer.getInteger("tarjama.bench.threads", 0);
    int repeats = Integer.getInteger("tarjama.bench.repeats", 3);
    int[] sizes = Arrays.stream(System.getProperty("tarjama.bench.batches", "1,8,32").split(","))
        .mapToInt(s -> Integer.parseInt(s.strip())).toArray();

    List<String> en = Files.readAllLines(testdata.resolve("eval/tatoeba_heldout.en.txt"),
        StandardCharsets.UTF_8);
    List<String> ar = Files.readAllLines(testdata.resolve("eval/tatoeba_heldout.ar.txt"),
        StandardCharsets.UTF_8);
    List<Candidate> pairs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int s = (i / 2) % en.size();
      String target = i % 2 == 0 ? ar.get(s) : en.get(s);
      pairs.add(Candidate.unscored("tatoeba:" + i, "tatoeba", "bench", 0, "{}", true, "",
          en.get(s), target, 0, 0));
    }

    RewardModelConfig config = RewardModelConfig.of(modelDir).withProvider(provider)
        .withIntraOpThreads(threads);
    RewardModelHandler base = RewardModelHandler.of(config);
    // The pipeline's model, loaded once before any measurement and shared through SharedModels.
    long loadStart = System.nanoTime();
    RewardModel shared = base.load();
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    try (Bare bare = new Bare(config)) {
      System.out.printf(Locale.ROOT, "%s, loaded in %.2f s; %d pairs; %s%n", shared.describe(),
          loadSeconds, n, shared.providerNote().isEmpty() ? "" : shared.providerNote());
      // Warm-up of both paths (JIT, allocator, the DirectRunner's own classes), not measured.
      bare.run(pairs.subList(0, Math.min(n, 1000)), 8, base);
      runPipeline(pairs.subList(0, Math.min(n, 1000)), base.withBatching(
          Batching.of(8, 8L * config.maxTokens(), Duration.ZERO)));
      System.out.println("batch | pipeline pairs/s | bare ORT pairs/s | ratio | batches | "
          + "mean batch | pipeline s | bare s");
      for (int size : sizes) {
        RewardModelHandler handler =
            base.withBatching(Batching.of(size, (long) size * config.maxTokens(), Duration.ZERO));
        // Alternate the two, take each one's median: other processes share these cores.
        double[] bareTimes = new double[repeats];
        double[] pipelineTimes = new double[repeats];
        PipelineResult result = null;
        for (int r = 0; r < repeats; r++) {
          long bareStart = System.nanoTime();
          bare.run(pairs, size, handler);
          bareTimes[r] = (System.nanoTime() - bareStart) / 1e9;
          long start = System.nanoTime();
          result = runPipeline(pairs, handler);
          pipelineTimes[r] = (System.nanoTime() - start) / 1e9;
        }
        double bareSeconds = median(bareTimes);
        double seconds = median(pipelineTimes);
        long scored = counter(result, "reward/scored");
        long batches = counter(result, "reward/batches");
        if (scored != n || counter(result, "reward/failures") > 0) {
          System.out.println("WARNING: scored " + scored + " of " + n + " at batch " + size);
        }
        double pipelineRate = n / seconds;
        double bareRate = n / bareSeconds;
        System.out.printf(Locale.ROOT, "%5d | %16.1f | %16.1f | %5.2f | %7d | %10.1f | %10.2f | %6.2f%n",
            size, pipelineRate, bareRate, pipelineRate / bareRate, batches,
            batches == 0 ? 0.0 : (double) n / batches, seconds, bareSeconds);
      }
    } finally {
      base.release();
    }
  }

  /** RunInference over {@code pairs} on the DirectRunner as {@code tarjama translate} sets it up. */
  private static PipelineResult runPipeline(List<Candidate> pairs, RewardModelHandler handler) {
    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(Boolean.parseBoolean(
        System.getProperty("tarjama.bench.encodability", "true")));
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(pairs)).apply(RunInference.of(handler).withMetricPrefix("reward/"));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }

  /** ONNX Runtime and the tokenizer with nothing of Tarjama's around them. */
  private static final class Bare implements AutoCloseable {
    final RewardModelConfig config;
    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final OrtSession session;
    final HuggingFaceTokenizer tokenizer;

    Bare(RewardModelConfig config) throws Exception {
      this.config = config;
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      if (config.intraOpThreads() > 0) {
        options.setIntraOpNumThreads(config.intraOpThreads());
      }
      if (config.provider() == ExecutionProvider.CUDA) {
        options.addCUDA(config.cudaDeviceId());
      }
      session = env.createSession(config.path().resolve("model.onnx").toString(), options);
      tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(config.path().resolve("tokenizer.json"))
          .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
    }

    /** Scores every pair in the batches RunInference would make, in one thread. */
    void run(List<Candidate> pairs, int size, RewardModelHandler handler) throws Exception {
      Map<Long, List<Candidate>> buckets = new TreeMap<>();
      for (Candidate c : pairs) {
        buckets.computeIfAbsent(RunInference.bucket(handler.weigh(c)), k -> new ArrayList<>()).add(c);
      }
      for (List<Candidate> bucket : buckets.values()) {
        for (int from = 0; from < bucket.size(); from += size) {
          List<Candidate> batch =
              new ArrayList<>(bucket.subList(from, Math.min(bucket.size(), from + size)));
          batch.sort(Comparator.comparingLong(handler::weigh));
          score(batch);
        }
      }
    }

    double[] score(List<Candidate> batch) throws Exception {
      List<long[]> rows = new ArrayList<>(batch.size());
      int length = 1;
      for (Candidate c : batch) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(),
            config.template().format(c.sourceText(), c.targetText()), false);
        long[] ids;
        try {
          ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
          TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        if (ids.length > config.maxTokens()) {
          ids = Arrays.copyOfRange(ids, ids.length - config.maxTokens(), ids.length);
        }
        rows.add(ids);
        length = Math.max(length, ids.length);
      }
      long[] ids = new long[rows.size() * length];
      long[] mask = new long[rows.size() * length];
      Arrays.fill(ids, config.padTokenId());
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, ids, i * length, rows.get(i).length);
        Arrays.fill(mask, i * length, i * length + rows.get(i).length, 1L);
      }
      long[] shape = {rows.size(), length};
      try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
          OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
          OrtSession.Result result = session.run(
              Map.of("input_ids", idsTensor, "attention_mask", maskTensor), Set.of("logits"))) {
        float[][] logits = (float[][]) result.get(0).getValue();
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = logits[i][0];
        }
        return out;
      }
    }

    @Override
    public void close() throws Exception {
      session.close();
      tokenizer.close();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
