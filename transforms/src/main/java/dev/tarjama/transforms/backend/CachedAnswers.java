package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKeyspace;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * How the answers to one kind of request are cached, and what an input becomes when its answers
 * are found: the part of a {@link BackendCall} that {@link CacheLookup} needs, and all of it for
 * a backend that is not called over HTTP (a local model's translations are looked up too).
 *
 * <p>An input's answers are {@link #n} entries under {@link #keyspace}, candidate i keyed by
 * (i, {@link #cacheText}); with a {@link #truncatedKeyspace}, an answer cut at the length limit
 * is kept under its key there instead, counted as stored but not as good.
 *
 * @param <InputT> what is asked about (a chunk, a pair)
 * @param <OutputT> the main output ({@link #output})
 */
public interface CachedAnswers<InputT, OutputT> extends Serializable {
  /** Where an input's outputs go, bound to the input's timestamp and window. */
  interface Emitter {
    <T> void output(TupleTag<T> tag, T value);
  }

  /** The backend as the job graph shows it (a translation backend's label). */
  String name();

  /** The backend's metrics ({@code cache_hits}, {@code cache_misses}, … are counted there). */
  BackendMetrics metrics();

  /** Where good answers are kept (looked up through {@code CompatibleLookup}). */
  CacheKeyspace keyspace();

  /** Where cut answers are kept apart from good ones; null: a cut answer is kept as any other. */
  CacheKeyspace truncatedKeyspace();

  /** Answers per request (candidates). */
  int n();

  /** The text an input's answers are keyed by. */
  String cacheText(InputT input);

  /** The main output. */
  TupleTag<OutputT> output();

  /** The other outputs (failures, retries, …); never the main one. */
  TupleTagList otherOutputs();

  /** Sets the coder of each of {@link #output} and {@link #otherOutputs} in {@code outputs}. */
  void setCoders(PCollectionTuple outputs, Coder<InputT> inputCoder);

  /** The outputs of an input whose n answers were all found ({@code stored}). */
  void stored(InputT input, BackendCaching.Stored stored, Emitter out);
}
