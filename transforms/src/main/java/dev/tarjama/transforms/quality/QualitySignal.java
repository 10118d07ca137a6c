package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.io.Serializable;

/**
 * One quality-estimation signal: measures a candidate's translated prose against its source and
 * returns a {@link Measure} under its {@link #name()}, the reason a gate names when it fails. A
 * signal only measures; whether the value fails (its threshold per split), and whether a failure
 * is a gate or a weight, is {@link QualityPolicy}'s, from the signal's {@link SignalSpec}.
 *
 * <p>Implementations are plain, immutable and thread-safe (one instance serves every element of a
 * DoFn); a signal that needs a model loads it once per JVM. A new signal (another helper's meaning
 * judge, say) plugs in by implementing this and registering its spec in {@link SignalSpec#KNOWN}.
 */
public interface QualitySignal extends Serializable {
  /** The signal's spec: name, direction and default threshold. */
  SignalSpec spec();

  /** The reason name, e.g. {@code numbers}. */
  default String name() {
    return spec().name();
  }

  /** The signal on one candidate: {@code source} and {@code target} are the translated prose. */
  Measure measure(QualityInput input);

  /** Takes the per-JVM resources the signal measures with (a DoFn's {@code @Setup}). */
  default void open() {}

  /** Gives them back (a DoFn's {@code @Teardown}); the signal may be opened again. */
  default void close() {}
}
