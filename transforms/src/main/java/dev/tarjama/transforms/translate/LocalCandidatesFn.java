package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;

/** A local backend's k candidates per chunk, one by one, counted as the API branches count. */
final class LocalCandidatesFn extends DoFn<List<ChunkTranslation>, ChunkTranslation> {
  private final Counter tokensIn;
  private final Counter tokensOut;
  private final Counter truncated;

  LocalCandidatesFn(String label) {
    BackendMetrics metrics = BackendMetrics.translation(label);
    this.tokensIn = metrics.counter("tokens_in");
    this.tokensOut = metrics.counter("tokens_out");
    this.truncated = metrics.counter("truncated");
  }

  @ProcessElement
  public void process(
      @Element List<ChunkTranslation> candidates, OutputReceiver<ChunkTranslation> out) {
    // The progress line counted these as the model returned them (TranslatorModelHandler).
    for (ChunkTranslation t : candidates) {
      if (t.truncated()) {
        truncated.inc();
      }
      tokensIn.inc(t.tokensIn());
      tokensOut.inc(t.tokensOut());
      out.output(t);
    }
  }
}
