package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.report.LiveCounts;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * A translation backend's cached answers ({@link BackendCaching}): a chunk whose k candidates are
 * stored becomes those k {@link ChunkTranslation}s ({@link #CANDIDATES}), exactly what the
 * backend gave when they were stored.
 *
 * <p>Truncated answers (an API backend's {@code finish_reason: length}) count as stored but not
 * as good. For an API backend's first pass ({@link #of}) a chunk with any truncated candidate goes
 * to {@link #CUT}: it is known to be cut, so it goes straight to its retry without paying again.
 * For the retry ({@link #ofRetry}), and for a local or batch backend (never retried), a truncated
 * candidate is kept, marked {@link ChunkTranslation#truncated}.
 */
public class ChunkAnswers implements CachedAnswers<Chunk, ChunkTranslation> {
  private static final long serialVersionUID = 1L;

  /** A chunk's candidates. */
  public static final TupleTag<ChunkTranslation> CANDIDATES = new TupleTag<>() {};

  /** A chunk's k failed candidates, each with the reason. */
  public static final TupleTag<ChunkTranslation> FAILED = new TupleTag<>() {};

  /** Chunks of a backend's first pass whose answer was cut: they go to the retry. */
  public static final TupleTag<Chunk> CUT = new TupleTag<>() {};

  private final String label;
  private final int k;
  private final CacheKeyspace keyspace;
  private final CacheKeyspace truncated;
  private final boolean routeCut;

  protected ChunkAnswers(BackendSpec backend, boolean routeCut) {
    this.label = backend.label();
    this.k = backend.k();
    this.keyspace = BackendCaching.keyspace(backend);
    this.truncated = BackendCaching.truncatedKeyspace(backend);
    this.routeCut = routeCut;
  }

  /** {@code backend}'s answers; an API backend's cut ones go to {@link #CUT}. */
  public static ChunkAnswers of(BackendSpec backend) {
    // A local model is not retried (its length limit follows the source), nor is a batch
    // backend (its answers come from the batch phase only): a marked candidate.
    return new ChunkAnswers(backend, !backend.isLocal() && !backend.isBatch());
  }

  /**
   * The answers of an API backend's truncation retry ({@code retry} = {@link
   * BackendSpec#forTruncationRetry()}): a truncated answer is a candidate marked truncated.
   */
  public static ChunkAnswers ofRetry(BackendSpec retry) {
    return new ChunkAnswers(retry, false);
  }

  /** Whether a cut answer sends its chunk to {@link #CUT} (a first pass of an API backend). */
  protected final boolean routesCut() {
    return routeCut;
  }

  protected final String label() {
    return label;
  }

  @Override
  public String name() {
    return label;
  }

  @Override
  public BackendMetrics metrics() {
    return BackendMetrics.translation(label);
  }

  @Override
  public CacheKeyspace keyspace() {
    return keyspace;
  }

  @Override
  public CacheKeyspace truncatedKeyspace() {
    return truncated;
  }

  @Override
  public int n() {
    return k;
  }

  @Override
  public String cacheText(Chunk chunk) {
    return chunk.text();
  }

  @Override
  public TupleTag<ChunkTranslation> output() {
    return CANDIDATES;
  }

  @Override
  public TupleTagList otherOutputs() {
    return routeCut ? TupleTagList.of(CUT) : TupleTagList.empty();
  }

  @Override
  public void setCoders(PCollectionTuple outputs, Coder<Chunk> inputCoder) {
    Coder<ChunkTranslation> coder = new ModelCoders.ChunkTranslationCoder();
    for (TupleTag<ChunkTranslation> tag : java.util.List.of(CANDIDATES, FAILED)) {
      if (outputs.has(tag)) {
        outputs.get(tag).setCoder(coder);
      }
    }
    if (outputs.has(CUT)) {
      outputs.get(CUT).setCoder(inputCoder);
    }
  }

  @Override
  public void stored(Chunk chunk, BackendCaching.Stored stored, Emitter out) {
    if (stored.anyCut() && routeCut) {
      // Not done yet: the retry with more room counts it when it is answered.
      out.output(CUT, chunk);
      return;
    }
    LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    for (ChunkTranslation t : stored.of(chunk, label)) {
      out.output(CANDIDATES, t);
    }
  }
}
