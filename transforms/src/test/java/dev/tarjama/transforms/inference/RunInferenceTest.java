package dev.tarjama.transforms.inference;

import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static dev.tarjama.transforms.testing.PipelineMetrics.distribution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.DataKit;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RunInference over the held-out Tatoeba sentences with a letter-mapping "model". */
@ExtendWith(TestPipelineExtension.class)
class RunInferenceTest {

  static List<String> tatoeba() throws IOException {
    Path file = Path.of(System.getProperty("tarjama.testdata"), "eval/tatoeba_heldout.en.txt");
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  /** GSM8K questions: prose far longer than any Tatoeba sentence. */
  static List<String> gsm8kQuestions(int n) throws IOException {
    Path file = DataKit.data("instruct/gsm8k/test.jsonl");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8).subList(0, n)) {
      out.add(json.readTree(line).get("question").asText().replace('\n', ' '));
    }
    return out;
  }

  private static long weight(List<String> batch) {
    return batch.stream().mapToLong(s -> Math.max(1, LetterMapTranslator.words(s))).sum();
  }

  @Test
  void batchesByCountAndTokensAndEveryInputEndsOnceAsResultOrFailure(TestPipeline pipeline)
      throws Exception {
    String name = "batches-" + System.nanoTime();
    List<String> sentences = tatoeba();
    String poison = "Mary";
    List<String> poisoned = sentences.stream().filter(s -> s.contains(poison)).toList();
    assertEquals(8, poisoned.size());
    Batching batching = Batching.of(8, 24, Duration.ZERO);
    LetterMapHandler handler = new LetterMapHandler(name, poison, batching, 0);
    RunInference<String, String, LetterMapTranslator> inference =
        RunInference.of(handler).withShards(3).withMetricPrefix("test/" + name + "/");

    PCollection<String> input = pipeline.apply(Create.of(sentences));
    PCollectionTuple out = input.apply("Infer", inference);
    // A second transform over the same model: it shares the one loaded on this JVM.
    PCollectionTuple again =
        pipeline
            .apply("Few", Create.of(sentences.subList(0, 20)))
            .apply("Infer again", RunInference.of(handler));

    List<String> expected = new ArrayList<>();
    for (String s : sentences) {
      if (!s.contains(poison)) {
        expected.add(LetterMapTranslator.map(s, 0));
      }
    }
    PAssert.that(out.get(inference.resultsTag())).containsInAnyOrder(expected);
    PAssert.that(out.get(inference.failuresTag()))
        .satisfies(
            failures -> {
              List<String> inputs = new ArrayList<>();
              for (KV<String, String> f : failures) {
                inputs.add(f.getKey());
                assertTrue(f.getValue().startsWith(f.getKey() + ": "), f.getValue());
                assertTrue(
                    f.getValue().contains("IllegalArgumentException: cannot translate 'Mary'"),
                    f.getValue());
              }
              assertEquals(poisoned.stream().sorted().toList(), inputs.stream().sorted().toList());
              return null;
            });
    PAssert.that(again.get(RunInference.<String, String, LetterMapTranslator>of(handler)
            .resultsTag()))
        .satisfies(
            results -> {
              assertTrue(results.iterator().hasNext());
              return null;
            });

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    // Loaded once for both transforms and all their DoFn instances; closed by the last one.
    assertEquals(1, LetterMapTranslator.loads(name));
    assertEquals(1, LetterMapTranslator.closes(name));
    assertEquals(0, SharedModels.users(handler.modelKey()));

    boolean poisonFailedABatch = false;
    for (List<String> batch : LetterMapTranslator.batches(name)) {
      assertTrue(batch.size() <= 8, "batch of " + batch.size());
      assertTrue(batch.size() == 1 || weight(batch) <= 24, "batch of " + weight(batch) + " tokens");
      for (int i = 1; i < batch.size(); i++) {
        long before = Math.max(1, LetterMapTranslator.words(batch.get(i - 1)));
        long here = Math.max(1, LetterMapTranslator.words(batch.get(i)));
        assertTrue(before <= here, "not sorted by length: " + batch);
        assertEquals(RunInference.bucket(before), RunInference.bucket(here), "mixed: " + batch);
      }
      poisonFailedABatch |= batch.size() > 1 && batch.stream().anyMatch(s -> s.contains(poison));
    }
    assertTrue(poisonFailedABatch, "no poisoned input shared a batch: the test tests nothing");

    String prefix = "test/" + name + "/";
    long tokens = sentences.stream().mapToLong(s -> Math.max(1, LetterMapTranslator.words(s))).sum();
    assertEquals(tokens, counter(result, prefix + "tokens"));
    assertEquals(8, counter(result, prefix + "failures"));
    assertTrue(counter(result, prefix + "batch_retries") >= 1);
    DistributionResult sizes = distribution(result, prefix + "batch_size");
    assertEquals(sentences.size(), sizes.getSum());
    assertEquals(counter(result, prefix + "batches"), sizes.getCount());
    assertTrue(sizes.getMax() <= 8 && sizes.getMax() > 1, "max batch " + sizes.getMax());
    assertTrue(distribution(result, prefix + "batch_latency_ms").getCount() >= sizes.getCount());
  }

  @Test
  void lengthBucketsKeepLongInputsOutOfBatchesOfShortOnes(TestPipeline pipeline)
      throws Exception {
    String name = "buckets-" + System.nanoTime();
    List<String> shortOnes = tatoeba().subList(0, 120);
    List<String> longOnes = gsm8kQuestions(30);
    List<String> mixed = new ArrayList<>();
    for (int i = 0; i < shortOnes.size(); i++) {
      mixed.add(shortOnes.get(i));
      if (i % 4 == 0) {
        mixed.add(longOnes.get(i / 4));
      }
    }
    assertTrue(longOnes.stream().allMatch(s -> LetterMapTranslator.words(s) > 16));
    assertTrue(shortOnes.stream().allMatch(s -> LetterMapTranslator.words(s) <= 16));
    LetterMapHandler handler =
        new LetterMapHandler(name, "", Batching.of(16, 100_000, Duration.ZERO), 0);
    RunInference<String, String, LetterMapTranslator> inference = RunInference.of(handler);
    PCollectionTuple out = pipeline.apply(Create.of(mixed)).apply(inference);
    PAssert.that(out.get(inference.resultsTag()))
        .containsInAnyOrder(mixed.stream().map(s -> LetterMapTranslator.map(s, 0)).toList());
    PAssert.that(out.get(inference.failuresTag())).empty();
    pipeline.run().waitUntilFinish();

    List<List<String>> batches = LetterMapTranslator.batches(name);
    for (List<String> batch : batches) {
      long longest = batch.stream().mapToLong(LetterMapTranslator::words).max().orElse(0);
      long shortest = batch.stream().mapToLong(LetterMapTranslator::words).min().orElse(0);
      // Within a bucket the padded length is at most twice the shortest input (8 at least).
      assertTrue(longest <= Math.max(8, 2 * shortest), "long and short mixed: " + batch);
    }
    assertTrue(batches.stream().anyMatch(b -> b.size() > 1));
  }

  @Test
  void aBatchTheModelMiscountsIsRetriedInputByInput(TestPipeline pipeline) throws Exception {
    String name = "miscount-" + System.nanoTime();
    List<String> sentences = tatoeba().subList(0, 60);
    // The broken model drops the last output of any batch of more than one.
    LetterMapHandler handler = new LetterMapHandler(name, "", Batching.of(8, 1000, Duration.ZERO), 1);
    RunInference<String, String, LetterMapTranslator> inference =
        RunInference.of(handler).withMetricPrefix("test/" + name + "/");
    PCollectionTuple out = pipeline.apply(Create.of(sentences)).apply(inference);
    PAssert.that(out.get(inference.resultsTag()))
        .containsInAnyOrder(sentences.stream().map(s -> LetterMapTranslator.map(s, 0)).toList());
    PAssert.that(out.get(inference.failuresTag())).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    // Every input ran alone exactly once: in the retry of its batch, or as a batch of one.
    List<List<String>> calls = LetterMapTranslator.batches(name);
    List<List<String>> multi = calls.stream().filter(b -> b.size() > 1).toList();
    long singles = calls.size() - multi.size();
    assertEquals(sentences.size(), singles);
    assertTrue(multi.size() >= 1);
    assertEquals(multi.size(), counter(result, "test/" + name + "/batch_retries"));
    long inMulti = multi.stream().mapToLong(List::size).sum();
    assertEquals(
        multi.size() + (sentences.size() - inMulti), counter(result, "test/" + name + "/batches"));
  }

  @Test
  void batchesOfOneRunEachInputAloneWithoutGroupingAndStillTagFailures(TestPipeline pipeline)
      throws Exception {
    String name = "single-" + System.nanoTime();
    List<String> sentences = tatoeba().subList(0, 40);
    String poisoned = sentences.get(17);
    String poison = poisoned.split("[^A-Za-z]+")[0];
    List<String> clean = sentences.stream().filter(s -> !s.contains(poison)).toList();
    LetterMapHandler handler =
        new LetterMapHandler(name, poison, Batching.of(1, 1000, Duration.ZERO), 0);
    RunInference<String, String, LetterMapTranslator> inference =
        RunInference.of(handler).withMetricPrefix("test/" + name + "/");
    PCollectionTuple out = pipeline.apply(Create.of(sentences)).apply(inference);
    PAssert.that(out.get(inference.resultsTag()))
        .containsInAnyOrder(clean.stream().map(s -> LetterMapTranslator.map(s, 0)).toList());
    PAssert.that(out.get(inference.failuresTag()).apply(org.apache.beam.sdk.transforms.Keys.create()))
        .containsInAnyOrder(sentences.stream().filter(s -> s.contains(poison)).toList());
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertTrue(LetterMapTranslator.batches(name).stream().allMatch(b -> b.size() == 1));
    assertEquals(sentences.size(), counter(result, "test/" + name + "/batches"));
    assertEquals(sentences.size() - clean.size(), counter(result, "test/" + name + "/failures"));
  }

  @Test
  void aModelThatCannotLoadFailsThePipelineNamingTheFile(TestPipeline pipeline) throws Exception {
    RunInference<String, String, LetterMapTranslator> inference =
        RunInference.of(new MissingModelHandler());
    pipeline.apply(Create.of(tatoeba().subList(0, 3))).apply(inference);
    Exception e = assertThrows(Exception.class, () -> pipeline.run().waitUntilFinish());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    assertTrue(messages.toString().contains("/models/absent/encoder_model.onnx"), messages.toString());
  }

  /** A model whose file is missing. */
  static final class MissingModelHandler
      extends ModelHandler<String, String, LetterMapTranslator> {
    @Override
    public String modelKey() {
      return "missing";
    }

    @Override
    protected LetterMapTranslator loadModel() throws IOException {
      throw new FileNotFoundException("/models/absent/encoder_model.onnx (No such file)");
    }

    @Override
    public List<String> run(LetterMapTranslator model, List<String> batch) {
      throw new AssertionError("never loaded");
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<String> outputCoder(
        org.apache.beam.sdk.Pipeline pipeline) {
      return org.apache.beam.sdk.coders.StringUtf8Coder.of();
    }
  }

  @Test
  void bucketsArePowersOfTwoFromEight() {
    assertEquals(8, RunInference.bucket(1));
    assertEquals(8, RunInference.bucket(8));
    assertEquals(16, RunInference.bucket(9));
    assertEquals(16, RunInference.bucket(16));
    assertEquals(512, RunInference.bucket(300));
  }
}
