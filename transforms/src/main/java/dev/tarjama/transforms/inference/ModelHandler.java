package dev.tarjama.transforms.inference;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;

/**
 * What {@link RunInference} needs to know about a model, in the shape of Beam's Python {@code
 * ModelHandler}: how to load it, how heavy an input is, how to batch, and how to run a batch.
 *
 * <p>A handler is serialized with the pipeline and deserialized on every worker, once per DoFn
 * instance; the model itself is not: {@link #load()} gives every DoFn instance and thread of a JVM
 * the same loaded model through {@link SharedModels}, keyed by {@link #modelKey()}. {@link #run} is
 * therefore called concurrently on one model and must be thread-safe for it.
 *
 * @param <InputT> one example
 * @param <OutputT> what the model makes of one example
 * @param <ModelT> the loaded model (closed when its last user on the JVM leaves)
 */
public abstract class ModelHandler<InputT, OutputT, ModelT extends AutoCloseable>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Identifies the model this handler loads: handlers with equal keys share one loaded model per
   * JVM. Include everything that changes the loaded weights or session (path, device), nothing
   * that only changes how it is called (decoding settings).
   */
  public abstract String modelKey();

  /** Loads a new model. Only the per-JVM cache calls this; everything else calls {@link #load}. */
  protected abstract ModelT loadModel() throws Exception;

  /**
   * Runs the model on one batch, sorted by weight (lightest first).
   *
   * @return one output per input, in the order of {@code batch}
   * @throws Exception when the batch cannot be run; {@link RunInference} then retries its inputs
   *     one by one, so that one bad input fails alone
   */
  public abstract List<OutputT> run(ModelT model, List<InputT> batch) throws Exception;

  /** The coder of the outputs (the pipeline gives access to its coder and schema registries). */
  public abstract Coder<OutputT> outputCoder(Pipeline pipeline);

  /** The weight of one input in tokens, for batching; at least 1. The default weighs 1. */
  public long weigh(InputT input) {
    return 1;
  }

  /** How to batch. The default is {@link Batching#DEFAULT}. */
  public Batching batching() {
    return Batching.DEFAULT;
  }

  /**
   * The model as the job graph shows it ({@link RunInference}'s display data). The default is
   * {@link #modelKey()}; override it when the key holds more than a person needs to recognise the
   * model. It must not hold a secret: display data is visible to anyone who can see the job.
   */
  public String description() {
    return modelKey();
  }

  /** Names an input in a failure message (the failure keeps the input itself). */
  public String describe(InputT input) {
    String s = String.valueOf(input);
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  /** The model shared on this JVM, loaded on first use; pair each call with {@link #release}. */
  public final ModelT load() {
    return SharedModels.acquire(modelKey(), this::loadModel);
  }

  /** Gives back what {@link #load} gave; the last user on the JVM closes the model. */
  public final void release() {
    SharedModels.release(modelKey());
  }
}
