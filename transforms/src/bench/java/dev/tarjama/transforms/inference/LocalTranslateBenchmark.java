package dev.tarjama.transforms.inference;

import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static dev.tarjama.transforms.testing.PipelineMetrics.distribution;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.LocalModelConfig;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.translate.TranslateChunks;
import dev.tarjama.transforms.translate.TranslatorFactory;
import dev.tarjama.transforms.translate.TranslatorModelHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;

/**
 * Tokens per second of a local backend: {@link TranslateChunks} on the DirectRunner (as {@code
 * tarjama translate} runs it: immutability check off) over N chunks made from the held-out Tatoeba
 * sentences, at each batch size, next to the same {@link Translator} called in a bare loop without
 * Beam (same sentences, same batch size, input order, one thread). The model is loaded once, before
 * any measurement, and shared by every run (the pipelines find it in {@link SharedModels}).
 *
 * <p>System properties (or the first argument: the model directory):
 *
 * <ul>
 *   <li>{@code tarjama.bench.model}: a model directory ({@link TranslatorFactory#models()}); none
 *       runs the letter-map stand-in (measures Beam's overhead only)
 *   <li>{@code tarjama.bench.provider}: {@code cpu} (default) or {@code cuda}
 *   <li>{@code tarjama.bench.chunks}: N (2000; the 500 sentences repeat)
 *   <li>{@code tarjama.bench.batches}: batch sizes (1,8,32)
 *   <li>{@code tarjama.bench.decoding}: {@code greedy} (default), {@code beam:W}, {@code sample}
 * </ul>
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * mvn -q -pl transforms -am test-compile -Dtransforms.bench=LocalTranslateBenchmark \
 *     -Dtransforms.bench.jvm="-Dtarjama.bench.model=testdata/models/tiny-en-ar-a"
 * </pre>
 *
 * (CLASSPATH, not {@code -cp}: see BUILD-NOTES on ONNX Runtime and long command lines.)
 */
public final class LocalTranslateBenchmark {
  private LocalTranslateBenchmark() {}

  public static void main(String[] args) throws Exception {
    String modelDir = System.getProperty("tarjama.bench.model", args.length > 0 ? args[0] : "");
    ExecutionProvider provider =
        ExecutionProvider.parse(System.getProperty("tarjama.bench.provider", "cpu"));
    int n = Integer.getInteger("tarjama.bench.chunks", 2000);
    String decodingName = System.getProperty("tarjama.bench.decoding", "greedy");
    int[] sizes =
        Arrays.stream(System.getProperty("tarjama.bench.batches", "1,8,32").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip()))
            .toArray();
    Path testdata = Path.of(System.getProperty("tarjama.testdata", "testdata"));
    List<String> sentences =
        Files.readAllLines(
            testdata.resolve("eval/tatoeba_heldout.en.txt"), StandardCharsets.UTF_8);

    boolean standIn = modelDir.isEmpty();
    TranslatorFactory factory = standIn ? new LetterMapTranslator.Factory("") : TranslatorFactory.models();
    String path = standIn ? "letter-map-bench" : modelDir;
    String common = "name=bench,kind=local,path=" + path + ",provider=" + provider.cliName()
        + ",decoding=" + decodingName;
    Decoding decoding = BackendSpec.parse(common).local().decoding();
    TranslatorModelHandler warm =
        new TranslatorModelHandler(
            "bench", "bench", LocalModelConfig.of(path).withProvider(provider), factory);
    long loadStart = System.nanoTime();
    Translator translator = warm.load();
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    try {
      List<Chunk> chunks = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String text = sentences.get(i % sentences.size());
        chunks.add(
            new Chunk("tatoeba:" + i, "tatoeba", 0, 0, text, List.of(), List.of(),
                translator.countSourceTokens(text)));
      }
      translator.translate(sentences.subList(0, 16), decoding); // warm-up: JIT, allocator
      System.out.printf(Locale.ROOT, "model %s (%s), loaded in %.2f s; %d chunks, %s decoding%s%n",
          translator.describe(), provider.cliName(), loadSeconds, n, decodingName,
          standIn ? " — STAND-IN letter map: figures show Beam's overhead only" : "");
      System.out.println(
          "batch | pipeline tok/s (out) | pipeline tok/s (in+out) | bare tok/s (out) | ratio | "
              + "batches | mean batch | pipeline s | bare s");
      for (int size : sizes) {
        // Bare: the translator alone, in input order.
        long bareStart = System.nanoTime();
        long bareOut = 0;
        for (int from = 0; from < n; from += size) {
          List<String> batch = new ArrayList<>();
          for (int i = from; i < Math.min(n, from + size); i++) {
            batch.add(chunks.get(i).text());
          }
          for (List<Translation> t : translator.translate(batch, decoding)) {
            bareOut += t.get(0).targetTokens();
          }
        }
        double bareSeconds = (System.nanoTime() - bareStart) / 1e9;

        BackendSpec spec =
            BackendSpec.parse(common + ",batch-size=" + size + ",batch-tokens=" + (size * 1024));
        DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
        options.setEnforceImmutability(false);
        Pipeline p = Pipeline.create(options);
        p.apply(Create.of(chunks)).apply(TranslateChunks.with(spec).withTranslatorFactory(factory));
        long start = System.nanoTime();
        PipelineResult result = p.run();
        result.waitUntilFinish();
        double seconds = (System.nanoTime() - start) / 1e9;
        long out = counter(result, TranslateChunks.metricName("bench", "tokens_out"));
        long in = counter(result, TranslateChunks.metricName("bench", "tokens_in"));
        long failures = counter(result, TranslateChunks.metricName("bench", "failures"));
        DistributionResult batchSizes =
            distribution(result, TranslateChunks.metricName("bench", "batch_size"));
        if (failures > 0) {
          System.out.println("WARNING: " + failures + " chunks failed at batch " + size);
        }
        System.out.printf(Locale.ROOT, "%5d | %20.1f | %23.1f | %16.1f | %5.2f | %7d | %10.1f | %10.2f | %6.2f%n",
            size, out / seconds, (in + out) / seconds, bareOut / bareSeconds,
            (out / seconds) / (bareOut / bareSeconds), batchSizes.getCount(),
            batchSizes.getCount() == 0 ? 0.0 : (double) batchSizes.getSum() / batchSizes.getCount(),
            seconds, bareSeconds);
      }
    } finally {
      warm.release();
    }
  }
}
