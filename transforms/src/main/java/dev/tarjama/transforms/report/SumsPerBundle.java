package dev.tarjama.transforms.report;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * A statistics DoFn that adds its events up within each bundle and outputs one sum per key at the
 * bundle's end, so the grouping after it (a {@code Sum.…PerKey}) gets a few sums per bundle
 * instead of several events per element: a run's statistics are many events of few keys.
 *
 * <p>Input: elements in the global window (a batch pipeline); another window fails the pipeline,
 * since the sums are output in the global window. Output: {@code KV<key, sum>} per key seen in the
 * bundle.
 *
 * @param <InputT> what the events are made from
 * @param <V> the sums' type
 */
public abstract class SumsPerBundle<InputT, V> extends DoFn<InputT, KV<String, V>> {
  private final SerializableBiFunction<V, V, V> plus;
  private transient Map<String, V> sums;

  protected SumsPerBundle(SerializableBiFunction<V, V, V> plus) {
    this.plus = plus;
  }

  /** The events of {@code input}, each given to {@code event} (a key, a value to add). */
  protected abstract void events(InputT input, BiConsumer<String, V> event);

  @StartBundle
  public void startBundle() {
    sums = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element InputT input, BoundedWindow window) {
    if (!(window instanceof GlobalWindow)) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " sums in the global window, not in " + window);
    }
    events(input, (key, value) -> sums.merge(key, value, plus::apply));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<String, V> sum : sums.entrySet()) {
      context.output(KV.of(sum.getKey(), sum.getValue()), GlobalWindow.INSTANCE.maxTimestamp(),
          GlobalWindow.INSTANCE);
    }
    sums = null;
  }
}
