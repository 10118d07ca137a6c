package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.testing.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Runs {@link TranslateChunks} over chunks on the DirectRunner and hands its outputs back as
 * lists, so that tests can compare several runs (a cold and a warm cache) in plain Java.
 */
final class TranslationRuns {
  private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

  /** What one run gave. */
  record Run(
      List<ChunkTranslation> translations,
      List<ChunkTranslation> failures,
      List<Chunk> duplicates,
      PipelineResult result) {
    long counter(String label, String metric) {
      return PipelineMetrics.backendCounter(result, label, metric);
    }
  }

  private TranslationRuns() {}

  static Run run(List<Chunk> chunks, TranslateChunks translate) {
    String id = UUID.randomUUID().toString();
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out =
        pipeline
            .apply(Create.of(chunks).withCoder(new ModelCoders.ChunkCoder()))
            .apply(translate.withShuffleBuckets(4));
    out.get(TranslateChunks.TRANSLATIONS).apply("Collect translations",
        ParDo.of(new CollectFn<>(id + "/translations")));
    out.get(TranslateChunks.FAILURES).apply("Collect failures",
        ParDo.of(new CollectFn<>(id + "/failures")));
    out.get(TranslateChunks.DUPLICATES).apply("Collect duplicates",
        ParDo.of(new CollectFn<>(id + "/duplicates")));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return new Run(take(id + "/translations"), take(id + "/failures"), take(id + "/duplicates"),
        result);
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> take(String key) {
    Queue<Object> q = COLLECTED.remove(key);
    List<T> out = new ArrayList<>();
    if (q != null) {
      q.forEach(o -> out.add((T) o));
    }
    return out;
  }

  static final class CollectFn<T> extends DoFn<T, Void> {
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element T element) {
      COLLECTED.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(element);
    }
  }
}
