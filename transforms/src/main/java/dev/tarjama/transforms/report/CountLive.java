package dev.tarjama.transforms.report;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;

/**
 * Passes every element through unchanged and adds one to a {@link LiveCounts} count: a stage's
 * progress where its own DoFns do not count. Fused with its neighbours, it costs an increment.
 */
public final class CountLive<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final String name;

  private CountLive(String name) {
    this.name = name;
  }

  /** Counts into {@code name} (a {@link LiveCounts} constant). */
  public static <T> CountLive<T> as(String name) {
    return new CountLive<>(name);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("counter", name).withLabel("Live counter"));
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply(ParDo.of(new CountFn<T>(name))).setCoder(input.getCoder());
  }

  private static final class CountFn<T> extends DoFn<T, T> {
    private final String name;

    CountFn(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      LiveCounts.inc(name);
      out.output(element);
    }
  }
}
