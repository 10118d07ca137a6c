package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.transforms.backend.BackendCall;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.ChunkAnswers;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * An API backend's translation of a chunk, as {@link dev.tarjama.transforms.backend.CallBackend}
 * asks it: the backend's prompt around the chunk, k candidates, stored as {@link BackendCaching}
 * keys them. On a backend's first pass a chunk with a candidate cut at the length limit goes to
 * {@link ChunkAnswers#CUT} (its {@link TruncationRetry}) instead of out; on the retry such
 * candidates are emitted {@link ChunkTranslation#truncated marked}.
 *
 * <p>Counts, per backend label: {@code truncated} (first pass) or {@code truncated_after_retry}
 * (candidates cut), {@code dedupe_copies} (candidates given an identical request's answer) and
 * {@code dedupe_tokens_saved}; and the progress line's live counts (requests, chunks done, each
 * backend's tokens).
 */
final class ChunkCall extends ChunkAnswers implements BackendCall<Chunk, ChunkTranslation> {
  private static final long serialVersionUID = 1L;

  private final BackendSpec backend;
  private final Counter truncated;
  private final Counter dedupeCopies;
  private final Counter dedupeTokensSaved;

  private ChunkCall(BackendSpec backend, boolean firstPass) {
    super(backend, firstPass);
    this.backend = backend;
    this.truncated = metrics().counter(firstPass ? "truncated" : "truncated_after_retry");
    this.dedupeCopies = metrics().counter("dedupe_copies");
    this.dedupeTokensSaved = metrics().counter("dedupe_tokens_saved");
  }

  /** A backend's first pass: cut chunks go to the retry. */
  static ChunkCall firstPass(BackendSpec backend) {
    return new ChunkCall(backend, true);
  }

  /** The retry with more room ({@code retry} = {@link BackendSpec#forTruncationRetry()}). */
  static ChunkCall retry(BackendSpec retry) {
    return new ChunkCall(retry, false);
  }

  @Override
  public BackendSpec backend() {
    return backend;
  }

  @Override
  public TupleTagList otherOutputs() {
    return routesCut() ? TupleTagList.of(FAILED).and(CUT) : TupleTagList.of(FAILED);
  }

  @Override
  public String request(Chunk chunk) {
    return backend.prompt().render(chunk.text());
  }

  /** A translation is about as long as its source, per candidate. */
  @Override
  public long expectedTokensOut(Chunk chunk) {
    return Math.max(chunk.tokens(), OpenAiCompatibleClient.estimateTokens(chunk.text())) * (long) n();
  }

  @Override
  public Map<CacheKey, CachedTranslation> entries(String chunkText, Completion completion) {
    return BackendCaching.entries(keyspace(), truncatedKeyspace(), chunkText, n(), completion);
  }

  @Override
  public boolean countsLiveRequests() {
    return true;
  }

  /**
   * The progress line's counts, the moment an answer arrives (on the client's thread). A cut
   * answer on a first pass leaves its chunk to be done by the retry, which counts it then.
   */
  @Override
  public void arrived(Completion completion, Throwable error) {
    if (error != null || !routesCut() || !CompletionCandidates.anyTruncated(completion)) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    }
    if (error == null) {
      // Per backend, for the report's cost over time (prices are per backend).
      LiveCounts.add(LiveCounts.backendTokens(label(), "in"), completion.promptTokens());
      LiveCounts.add(LiveCounts.backendTokens(label(), "out"), completion.completionTokens());
    }
  }

  @Override
  public void answered(Chunk chunk, Completion completion, Emitter out) {
    List<ChunkTranslation> candidates = CompletionCandidates.of(chunk, label(), n(), completion);
    boolean anyCut = false;
    for (ChunkTranslation t : candidates) {
      if (t.truncated()) {
        truncated.inc();
        anyCut = true;
      }
    }
    emit(chunk, candidates, anyCut, out);
  }

  /**
   * An identical chunk's answer given to this chunk: the same outputs as a call's, counted as
   * dedupe savings and not as calls, tokens, failures or truncations (the chunk that paid counts
   * those).
   */
  @Override
  public void copied(
      Chunk chunk, Completion completion, BackendCaching.Stored stored, Emitter out) {
    List<ChunkTranslation> candidates = stored != null ? stored.of(chunk, label())
        : CompletionCandidates.of(chunk, label(), n(), completion);
    boolean anyCut = false;
    for (ChunkTranslation t : candidates) {
      anyCut |= t.truncated();
      dedupeTokensSaved.inc(t.tokensIn() + t.tokensOut());
    }
    dedupeCopies.inc(n());
    // This branch is asked for every chunk (TranslateChunks#asksEveryChunk): a copy is one of
    // its (chunk, backend) pairs done, unless it goes to the retry, which counts it then.
    if (!(anyCut && routesCut())) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    }
    emit(chunk, candidates, anyCut, out);
  }

  @Override
  public void copyFailed(Chunk chunk, String error, Emitter out) {
    LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    failed(chunk, error, out);
  }

  @Override
  public void refused(Chunk chunk, String exhaustion, Emitter out) {
    LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    failed(chunk, "backend " + backend.name() + ": " + exhaustion + "; chunk not sent", out);
  }

  /** k failures of {@code chunk}, each with {@code error}. */
  @Override
  public void failed(Chunk chunk, String error, Emitter out) {
    for (int i = 0; i < n(); i++) {
      out.output(FAILED, ChunkTranslation.failure(chunk, label(), i, error));
    }
  }

  /** The candidates; or, when one is cut on a first pass, the whole chunk to its retry. */
  private void emit(Chunk chunk, List<ChunkTranslation> candidates, boolean anyCut, Emitter out) {
    if (anyCut && routesCut()) {
      // A cut answer is not a translation: the whole chunk is asked again with more room.
      out.output(CUT, chunk);
      return;
    }
    candidates.forEach(t -> out.output(CANDIDATES, t));
  }
}
