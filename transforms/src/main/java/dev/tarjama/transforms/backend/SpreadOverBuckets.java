package dev.tarjama.transforms.backend;

import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Spreads elements over a fixed number of keys with a plain {@code GroupByKey} and hands each
 * key's elements on together: on a runner that makes one bundle per key (the DirectRunner) every
 * bucket becomes one large bundle, whatever the bundles upstream. {@code Reshuffle} cannot promise
 * that: its trigger fires a pane per arriving bundle, so the one-element bundles a {@code
 * GroupByKey} upstream (deduplication) emits on the DirectRunner stayed one-element bundles, and
 * a backend's requests went out one or two at a time instead of {@code concurrency} at once.
 */
public final class SpreadOverBuckets<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final int buckets;

  SpreadOverBuckets(int buckets) {
    this.buckets = buckets;
  }

  /**
   * Elements spread over {@code buckets} keys and handed on a key at a time. Also what follows a
   * per-record {@code GroupByKey} on the DirectRunner needs: it would otherwise run every later
   * stage once per record-sized bundle, and that runner prepares each stage anew per bundle.
   */
  public static <T> SpreadOverBuckets<T> of(int buckets) {
    if (buckets < 1) {
      throw new IllegalArgumentException("at least one bucket, got " + buckets);
    }
    return new SpreadOverBuckets<>(buckets);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("buckets", buckets).withLabel("Keys spread over"));
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input
        .apply("Pick a bucket", ParDo.of(new KeyFn<T>(buckets)))
        .setCoder(KvCoder.of(VarIntCoder.of(), input.getCoder()))
        .apply("Group by bucket", GroupByKey.create())
        .apply("Hand on", ParDo.of(new ExpandFn<T>()))
        .setCoder(input.getCoder());
  }

  static final class KeyFn<T> extends DoFn<T, KV<Integer, T>> {
    private final int buckets;

    KeyFn(int buckets) {
      this.buckets = buckets;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(ThreadLocalRandom.current().nextInt(buckets), element));
    }
  }

  static final class ExpandFn<T> extends DoFn<KV<Integer, Iterable<T>>, T> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<T>> bucket, OutputReceiver<T> out) {
      for (T element : bucket.getValue()) {
        out.output(element);
      }
    }
  }
}
