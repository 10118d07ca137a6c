package dev.tarjama.models.onnx;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The "bare ONNX Runtime loop" figure of the local backend (no Beam): greedy decoding of the
 * held-out Tatoeba sentences with {@link MarianTranslator} at batch 1, 8 and 32, in tokens per
 * second. Target tokens are {@link Translation#targetTokens()} (generated tokens without {@code
 * </s>}); source tokens are encoder tokens ({@code </s>} included).
 *
 * <pre>
 * mvn -q -pl models test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.tarjama.models.onnx.MarianBenchmark \
 *   -Dexec.args="[--model DIR] [--sentences N] [--batches 1,8,32] [--repeats R] [--threads T]
 *                [--sorted] [--cuda DEVICE] [--no-cache]"
 * </pre>
 */
public final class MarianBenchmark {
  private MarianBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("tarjama.testdata", "testdata"));
    if (!Files.isDirectory(root)) {
      root = Path.of("../testdata");
    }
    Path model = root.resolve("models/tiny-en-ar-a");
    Path sentencesFile = root.resolve("eval/tatoeba_heldout.en.txt");
    int count = 500;
    int repeats = 3;
    int threads = 0;
    boolean sorted = false;
    int cuda = -1;
    boolean cache = true;
    int[] batches = {1, 8, 32};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--sentences" -> count = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--sorted" -> sorted = true;
        case "--cuda" -> cuda = Integer.parseInt(args[++i]);
        case "--no-cache" -> cache = false;
        case "--batches" ->
            batches = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> all = Files.readAllLines(sentencesFile);
    List<String> sentences = new ArrayList<>(all.subList(0, Math.min(count, all.size())));
    MarianModelConfig config =
        MarianModelConfig.of(model).withIntraOpThreads(threads).withKvCache(cache);
    if (cuda >= 0) {
      config = config.withCuda(cuda);
    }
    try (MarianTranslator translator = MarianTranslator.load(config)) {
      if (sorted) {
        sentences.sort(Comparator.comparingInt(translator::countSourceTokens));
      }
      System.out.println(translator.describe());
      System.out.printf(
          Locale.ROOT,
          "%d sentences, greedy, %s order, best of %d runs, %d cores available%n",
          sentences.size(), sorted ? "length-sorted" : "file", repeats,
          Runtime.getRuntime().availableProcessors());
      run(translator, sentences.subList(0, Math.min(64, sentences.size())), 8); // warm-up
      System.out.println("batch  seconds  sentences/s  source tok/s  target tok/s  target tokens");
      for (int batch : batches) {
        double best = Double.MAX_VALUE;
        long[] tokens = null;
        for (int r = 0; r < repeats; r++) {
          long start = System.nanoTime();
          tokens = run(translator, sentences, batch);
          best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf(
            Locale.ROOT,
            "%5d  %7.2f  %11.1f  %12.0f  %12.0f  %13d%n",
            batch, best, sentences.size() / best, tokens[0] / best, tokens[1] / best, tokens[1]);
      }
    }
  }

  /** Translates {@code sentences} in batches; {source tokens, target tokens}. */
  private static long[] run(MarianTranslator translator, List<String> sentences, int batch) {
    long source = 0;
    long target = 0;
    for (int i = 0; i < sentences.size(); i += batch) {
      for (List<Translation> candidates :
          translator.translate(sentences.subList(i, Math.min(sentences.size(), i + batch)), Decoding.greedy())) {
        source += candidates.get(0).sourceTokens();
        target += candidates.get(0).targetTokens();
      }
    }
    return new long[] {source, target};
  }
}
