package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * What one backend returned for one chunk and one candidate index: the translated text (still with
 * placeholders) and token usage, or, when the call failed for good, {@code error} (non-empty) with
 * the chunk's source text kept so the failure can be replayed.
 *
 * <p>{@code truncated} marks a translation that stopped at its length limit ({@code
 * finish_reason: length} from an API backend) also after the one retry with more room: the text is
 * kept, but it is a cut translation, which reassembly fails with the named reason {@link
 * Candidate#TRUNCATED}. It is never stored in the cache as a good answer.
 *
 * <p>{@code meaning} is the quality judge's verdict on this chunk ({@code --qe-judge}): {@link
 * #MEANING_ACCEPT}, {@link #MEANING_REJECT}, {@link #MEANING_UNDECIDED} (an answer that is not a
 * verdict), {@link #MEANING_FAILED} (the judge's request failed), or {@code ""} when not judged.
 * Reassembly fails a candidate with a rejected chunk with the reason {@link Candidate#MEANING}.
 *
 * @param recordId the record the chunk belongs to
 * @param chunkIndex the chunk's index within its record
 * @param backend the backend that translated it
 * @param candidate the candidate index within that backend
 * @param source the chunk's source text (with placeholders)
 * @param text the translation (with placeholders; "" when it failed)
 * @param error why the call failed for good ("" when it did not)
 * @param tokensIn tokens sent
 * @param tokensOut tokens returned
 * @param truncated whether it stopped at its length limit also after the retry
 * @param meaning the quality judge's verdict ("" when not judged)
 */
@DefaultCoder(ModelCoders.ChunkTranslationCoder.class)
public record ChunkTranslation(
    String recordId,
    int chunkIndex,
    String backend,
    int candidate,
    String source,
    String text,
    String error,
    long tokensIn,
    long tokensOut,
    boolean truncated,
    String meaning) {
  public static final String MEANING_ACCEPT = "accept";
  public static final String MEANING_REJECT = "reject";
  public static final String MEANING_UNDECIDED = "undecided";
  public static final String MEANING_FAILED = "failed";

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
    this(recordId, chunkIndex, backend, candidate, source, text, error, tokensIn, tokensOut, false,
        "");
  }

  public static ChunkTranslation success(
      Chunk chunk, String backend, int candidate, String text, long tokensIn, long tokensOut) {
    return new ChunkTranslation(
        chunk.recordId(), chunk.chunkIndex(), backend, candidate, chunk.text(), text, "", tokensIn,
        tokensOut);
  }

  public static ChunkTranslation failure(
      Chunk chunk, String backend, int candidate, String error) {
    return new ChunkTranslation(
        chunk.recordId(), chunk.chunkIndex(), backend, candidate, chunk.text(), "", error, 0, 0);
  }

  /** A translation cut at the length limit even after its retry (see the class comment). */
  public static ChunkTranslation truncated(
      Chunk chunk, String backend, int candidate, String text, long tokensIn, long tokensOut) {
    return new ChunkTranslation(
        chunk.recordId(), chunk.chunkIndex(), backend, candidate, chunk.text(), text, "", tokensIn,
        tokensOut, true, "");
  }

  /** The same translation for another chunk with the same text (deduplication's copies). */
  public ChunkTranslation forChunk(String otherRecordId, int otherChunkIndex) {
    return new ChunkTranslation(
        otherRecordId, otherChunkIndex, backend, candidate, source, text, error, tokensIn,
        tokensOut, truncated, meaning);
  }

  /** This translation with the quality judge's verdict (see the class comment). */
  public ChunkTranslation withMeaning(String verdict) {
    return new ChunkTranslation(
        recordId, chunkIndex, backend, candidate, source, text, error, tokensIn, tokensOut,
        truncated, verdict);
  }

  public boolean failed() {
    return !error.isEmpty();
  }

  /** The key reassembly groups on: one full translated record per (record, backend, candidate). */
  public CandidateKey candidateKey() {
    return new CandidateKey(recordId, backend, candidate);
  }

  @Override
  public String toString() {
    return "ChunkTranslation{"
        + recordId + "#" + chunkIndex + " " + backend + "/" + candidate
        + (failed() ? " FAILED: " + error : (truncated ? " TRUNCATED: " : ": ") + text)
        + "}";
  }
}
