package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.batch.BatchJobs;
import dev.tarjama.transforms.batch.CollectBatchRequests;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.report.BatchReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * The launcher's batch phase of {@code translate}, before the translate pipeline, when any
 * backend is a batch backend ({@code kind=openai-batch} or {@code batch-file}):
 *
 * <ol>
 *   <li>a first pipeline pass (read → chunk → cache lookup, {@link CollectBatchRequests}) lists
 *       the distinct chunk texts each batch backend's cache does not answer;
 *   <li>{@link BatchJobs} sends them as batch lines, waits (or not: {@code --batch-wait}),
 *       reconciles and stores every answer in the cache; state in {@code OUT/_batches/NAME/} (a
 *       {@code batch-file} backend's in its {@code path=DIR});
 *   <li>the translate pipeline then runs as usual: each batch backend is served from the cache,
 *       and a chunk whose lines were given up fails with the reason.
 * </ol>
 *
 * {@code _batches/} is not an output folder: clearing outputs on a rerun leaves it alone; a new
 * (not resumed) run starts it afresh.
 */
final class BatchPhase {
  static final String BATCHES = "_batches";

  /** Exit code of a launch that left batches running (finish with --resume). */
  static final int PENDING = 4;

  private BatchPhase() {}

  /** What the phase came to: an exit code to stop with, or the backends to run with. */
  record Result(Integer exitCode, List<BackendSpec> backends, ObjectNode report) {}

  static boolean any(List<BackendSpec> backends) {
    return backends.stream().anyMatch(BackendSpec::isBatch);
  }

  /** A user error with batch backends, checked before anything runs. */
  static Optional<String> problem(TranslateOptions options, List<BackendSpec> backends) {
    if (!any(backends) || options.getDryRun()) {
      return Optional.empty();
    }
    if (TranslationCaches.isNone(TranslatePipeline.cacheUri(options))) {
      return Optional.of("batch backends put their answers in the translation cache: give "
          + "--cache=… (or a local --output, whose embedded cache is used)");
    }
    if (TranslatePipeline.spendLedger(options) == null) {
      return Optional.of("batch backends keep their batch state under a local --output");
    }
    for (BackendSpec b : backends) {
      if (b.kind() == BackendSpec.Kind.BATCH_FILE && !options.getResume()
          && Files.exists(Path.of(b.batch().path()).resolve("state.json"))) {
        return Optional.of("backend " + b.name() + ": " + b.batch().path()
            + " holds the batch files of an earlier run: finish it with --resume, or give an "
            + "empty path=");
      }
    }
    return Optional.empty();
  }

  /** The run's {@code OUT/_batches/} folder. */
  static Path batchesDir(TranslateOptions options) {
    return TranslatePipeline.spendLedger(options).getParent().getParent().resolve(BATCHES);
  }

  static Result run(
      TranslateOptions options,
      List<BackendSpec> backends,
      RankingPolicy policy,
      boolean resumed,
      PrintStream out)
      throws IOException {
    Path batches = batchesDir(options);
    if (!resumed) {
      for (BackendSpec b : backends) {
        if (b.kind() == BackendSpec.Kind.OPENAI_BATCH) {
          deleteTree(BatchJobs.stateDir(b, batches)); // an earlier, finished run's batches
        }
      }
    }
    Path needed = batches.resolve("_needed");
    deleteTree(needed);
    String cacheUri = TranslatePipeline.cacheUri(options);
    Pipeline collect = Pipeline.create(options);
    TranslatePipeline.build(collect, options, backends, policy,
        CollectBatchRequests.of(backends, cacheUri, needed.toString()));
    PipelineResult.State state = collect.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IOException("the batch phase's first pass ended " + state);
    }
    BatchJobs.Settings settings = new BatchJobs.Settings(options.getBatchWait(),
        Duration.ofMillis(Math.round(options.getBatchPollSeconds() * 1000)));
    List<BackendSpec> updated = new ArrayList<>();
    ObjectNode report = RecordJson.MAPPER.createObjectNode();
    List<String> waiting = new ArrayList<>();
    TranslationCache cache = TranslationCaches.acquire(cacheUri);
    try {
      for (BackendSpec b : backends) {
        if (!b.isBatch()) {
          updated.add(b);
          continue;
        }
        List<String> texts = neededTexts(needed.resolve(b.name()));
        BatchJobs.Outcome outcome = BatchJobs.run(b, texts, BatchJobs.stateDir(b, batches), cache,
            TranslatePipeline.spendingLimit(options), settings,
            b.kind() == BackendSpec.Kind.OPENAI_BATCH ? BatchJobs.openAi(b) : BatchJobs.files(b),
            out);
        if (outcome.pending()) {
          waiting.add(outcome.message());
        }
        updated.add(b.withBatchFailures(outcome.givenUp()));
        report.set(b.label(), BatchReport.backend(b, outcome.counts(), texts.size()));
      }
    } finally {
      TranslationCaches.release(cacheUri);
    }
    if (!waiting.isEmpty()) {
      for (String w : waiting) {
        out.println("tarjama translate: " + w);
      }
      return new Result(PENDING, updated, report);
    }
    return new Result(null, updated, report);
  }

  private static List<String> neededTexts(Path dir) throws IOException {
    List<String> texts = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return texts;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("needed"))
          .sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            texts.add(CollectBatchRequests.text(line));
          }
        }
      }
    }
    return texts;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
