package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.BatchSettings;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * A batch backend's chunk that the cache did not answer: k failures whose error is the reason
 * the launcher's batch phase gave up on its line ({@link BackendSpec#withBatchFailures}), or,
 * for a chunk the phase never saw, that no batch answered it. Counted as {@code failures}.
 */
final class BatchMisses extends DoFn<Chunk, ChunkTranslation> {
  private final String name;
  private final String label;
  private final int k;
  private final Map<String, String> reasons;
  private final Counter failures;

  BatchMisses(BackendSpec backend) {
    this.name = backend.name();
    this.label = backend.label();
    this.k = backend.k();
    this.reasons = backend.batch().failures();
    this.failures = BackendMetrics.translation(label).counter("failures");
  }

  @ProcessElement
  public void process(@Element Chunk chunk, OutputReceiver<ChunkTranslation> out) {
    String reason = reasons.get(BatchSettings.textHash(chunk.text()));
    String error = reason != null ? reason
        : "backend " + name + ": no batch answer for this chunk (not in the cache after the "
            + "batch phase)";
    failures.inc();
    LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    for (int i = 0; i < k; i++) {
      out.output(ChunkTranslation.failure(chunk, label, i, error));
    }
  }
}
