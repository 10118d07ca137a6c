package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.SourceRecord;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * {@code --limit=N}: the first N records of the input, in the order a person reads it — files by
 * name, then line, row or array index within a file — on every runner (not the first to arrive).
 *
 * <p>Input and output: {@code PCollection<SourceRecord>}. A small key per record ({@link
 * OrderKey}: file name and index) goes through {@link Top#smallest}; the N smallest keys are a side input that
 * filters the records. Nothing fails here.
 */
public final class LimitRecords extends PTransform<PCollection<SourceRecord>, PCollection<SourceRecord>> {
  private final int limit;

  private LimitRecords(int limit) {
    this.limit = limit;
  }

  /** The first {@code limit} records ({@code limit} ≥ 1). */
  public static LimitRecords first(long limit) {
    if (limit < 1 || limit > 10_000_000) {
      throw new IllegalArgumentException("--limit must be in [1, 10000000], not " + limit);
    }
    return new LimitRecords((int) limit);
  }

  /**
   * Where a record sits in the input: its file, then its index there. Ordered by file name, then
   * index, as a person reads the input.
   *
   * @param file the file the record was read from
   * @param index its line, row or array index within the file
   */
  @DefaultCoder(OrderKeyCoder.class)
  record OrderKey(String file, long index) implements Comparable<OrderKey> {
    private static final Comparator<OrderKey> ORDER =
        Comparator.comparing(OrderKey::file).thenComparingLong(OrderKey::index);

    @Override
    public int compareTo(OrderKey other) {
      return ORDER.compare(this, other);
    }
  }

  /** The coder of {@link OrderKey}: the file, then the index. Deterministic. */
  static final class OrderKeyCoder extends ModelCoders.Typed<OrderKey> {
    OrderKeyCoder() {
      super(
          (out, k) -> {
            ModelCoders.writeUtf8(out, k.file());
            out.writeLong(k.index());
          },
          in -> new OrderKey(ModelCoders.readUtf8(in), in.readLong()));
    }
  }

  /** The key that orders records as the input reads. */
  static OrderKey orderKey(SourceRecord r) {
    return new OrderKey(r.file(), r.index());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("limit", limit).withLabel("Records kept (the first by id)"));
  }

  @Override
  public PCollection<SourceRecord> expand(PCollection<SourceRecord> records) {
    PCollectionView<List<OrderKey>> first =
        records
            .apply("OrderKeys",
                MapElements.into(TypeDescriptor.of(OrderKey.class)).via(LimitRecords::orderKey))
            .setCoder(new OrderKeyCoder())
            .apply("FirstKeys", Top.smallest(limit))
            .apply("AsView", View.asSingleton());
    return records
        .apply("KeepFirst", ParDo.of(new KeepFn(first)).withSideInputs(first))
        .setCoder(records.getCoder());
  }

  private static final class KeepFn extends DoFn<SourceRecord, SourceRecord> {
    private final PCollectionView<List<OrderKey>> first;
    private transient Set<OrderKey> keys;

    KeepFn(PCollectionView<List<OrderKey>> first) {
      this.first = first;
    }

    @ProcessElement
    public void process(@Element SourceRecord r, ProcessContext c) {
      if (keys == null) {
        keys = new HashSet<>(c.sideInput(first));
      }
      if (keys.contains(orderKey(r))) {
        c.output(r);
      }
    }

    @FinishBundle
    public void finish() {
      keys = null; // the side input may differ per window; a batch run has one
    }
  }
}
