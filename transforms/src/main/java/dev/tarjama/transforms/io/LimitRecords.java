package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.SourceRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code --limit=N}: the first N records of the input, in the order a person reads it — files by
 * name, then line, row or array index within a file — on every runner (not the first to arrive).
 *
 * <p>Input and output: {@code PCollection<SourceRecord>}. A small key per record (file name and
 * zero-padded index) goes through {@link Top#smallest}; the N smallest keys are a side input that
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

  /** The key that orders records as the input reads. */
  static String orderKey(SourceRecord r) {
    return r.file() + "\u0000" + String.format("%019d", r.index());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("limit", limit).withLabel("Records kept (the first by id)"));
  }

  @Override
  public PCollection<SourceRecord> expand(PCollection<SourceRecord> records) {
    PCollectionView<List<String>> first =
        records
            .apply("OrderKeys", MapElements.into(TypeDescriptors.strings()).via(LimitRecords::orderKey))
            .setCoder(StringUtf8Coder.of())
            .apply("FirstKeys", Top.smallest(limit))
            .apply("AsView", View.asSingleton());
    return records
        .apply("KeepFirst", ParDo.of(new KeepFn(first)).withSideInputs(first))
        .setCoder(records.getCoder());
  }

  private static final class KeepFn extends DoFn<SourceRecord, SourceRecord> {
    private final PCollectionView<List<String>> first;
    private transient Set<String> keys;

    KeepFn(PCollectionView<List<String>> first) {
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
