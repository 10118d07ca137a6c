package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.report.LiveCounts;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** A chunk the local model failed on: k failures, the chunk's source kept, the error named. */
final class LocalFailuresFn extends DoFn<KV<Chunk, String>, ChunkTranslation> {
  private final String label;
  private final int k;

  LocalFailuresFn(String label, int k) {
    this.label = label;
    this.k = k;
  }

  @ProcessElement
  public void process(@Element KV<Chunk, String> failure, OutputReceiver<ChunkTranslation> out) {
    LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    for (int i = 0; i < k; i++) {
      out.output(ChunkTranslation.failure(failure.getKey(), label, i, failure.getValue()));
    }
  }
}
