package dev.tarjama.transforms.model;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.Objects;

/**
 * What one backend returned for one chunk and one candidate index: the translated text (still with
 * placeholders) and token usage, or, when the call failed for good, {@code error} (non-empty) with
 * the chunk's source text kept so the failure can be replayed.
 */
@DefaultCoder(ModelCoders.ChunkTranslationCoder.class)
public final class ChunkTranslation {
  public final String recordId;
  public final int chunkIndex;
  public final String backend;
  public final int candidate;
  public final String source;
  public final String text;
  public final String error;
  public final long tokensIn;
  public final long tokensOut;

  public ChunkTranslation(
      String recordId,
      int chunkIndex,
      String backend,
      int candidate,
      String source,
      String text,
      String error,
      long tokensIn,
      long tokensOut) {
    this.recordId = recordId;
    this.chunkIndex = chunkIndex;
    this.backend = backend;
    this.candidate = candidate;
    this.source = source;
    this.text = text;
    this.error = error;
    this.tokensIn = tokensIn;
    this.tokensOut = tokensOut;
  }

  public static ChunkTranslation success(
      Chunk chunk, String backend, int candidate, String text, long tokensIn, long tokensOut) {
    return new ChunkTranslation(
        chunk.recordId, chunk.chunkIndex, backend, candidate, chunk.text, text, "", tokensIn,
        tokensOut);
  }

  public static ChunkTranslation failure(
      Chunk chunk, String backend, int candidate, String error) {
    return new ChunkTranslation(
        chunk.recordId, chunk.chunkIndex, backend, candidate, chunk.text, "", error, 0, 0);
  }

  public boolean failed() {
    return !error.isEmpty();
  }

  /** The key reassembly groups on: one full translated record per (record, backend, candidate). */
  public CandidateKey candidateKey() {
    return new CandidateKey(recordId, backend, candidate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkTranslation t
        && chunkIndex == t.chunkIndex
        && candidate == t.candidate
        && tokensIn == t.tokensIn
        && tokensOut == t.tokensOut
        && recordId.equals(t.recordId)
        && backend.equals(t.backend)
        && source.equals(t.source)
        && text.equals(t.text)
        && error.equals(t.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordId, chunkIndex, backend, candidate, text, error);
  }

  @Override
  public String toString() {
    return "ChunkTranslation{"
        + recordId + "#" + chunkIndex + " " + backend + "/" + candidate
        + (failed() ? " FAILED: " + error : ": " + text)
        + "}";
  }
}
