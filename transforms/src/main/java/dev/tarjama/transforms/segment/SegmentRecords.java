package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Protect structure: cuts every text field of every conversation into verbatim pieces and prose
 * with placeholders ({@link Segmenter}, configured by a {@link SegmentPolicy}).
 *
 * <p>Input: {@code PCollection<Conversation>}. Outputs, as a {@link PCollectionTuple}:
 *
 * <ul>
 *   <li>{@link #SEGMENTED}: one {@link SegmentedRecord} per conversation, with one {@link
 *       FieldSegments} per field ({@code fieldIndex} = index in {@code conversation.fields});
 *   <li>{@link #DEAD_LETTERS}: a {@link DeadLetter} (stage {@code segment}, field = the failing
 *       field's JSON Pointer, original = the record's JSON) for a record whose segmentation threw
 *       or did not restore the text byte-for-byte (e.g. a prose run with more inline spans than
 *       placeholders can number). The rest of the run goes on.
 * </ul>
 *
 * <p>Counters ({@code tarjama} namespace): {@code segment_records}, {@code segment_dead_letters},
 * {@code segment_prose_pieces}, and {@code segment_span_<type>} per span type (verbatim pieces by
 * their type, inline spans by theirs).
 */
public final class SegmentRecords
    extends PTransform<PCollection<Conversation>, PCollectionTuple> {

  public static final TupleTag<SegmentedRecord> SEGMENTED = new TupleTag<SegmentedRecord>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  public static final String STAGE = "segment";

  private final SegmentPolicy policy;

  private SegmentRecords(SegmentPolicy policy) {
    this.policy = policy;
  }

  /** Segments with {@link SegmentPolicy#defaults()}. */
  public static SegmentRecords create() {
    return new SegmentRecords(SegmentPolicy.defaults());
  }

  public static SegmentRecords withPolicy(SegmentPolicy policy) {
    return new SegmentRecords(policy);
  }

  public SegmentPolicy policy() {
    return policy;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("translatedRoles", String.join(",", policy.translatedRoles()))
        .withLabel("Roles translated"));
    builder.add(DisplayData.item("translatedKinds", String.join(",", policy.translatedKinds()))
        .withLabel("Part kinds translated"));
    builder.add(DisplayData.item("translateThink", policy.translateThink())
        .withLabel("Reasoning in <think> translated"));
    List<String> spans = new ArrayList<>();
    policy.protectedSpanTypes().forEach(t -> spans.add(t.name().toLowerCase(Locale.ROOT)));
    builder.add(DisplayData.item("protectedSpans", String.join(",", spans))
        .withLabel("Span types protected"));
  }

  @Override
  public PCollectionTuple expand(PCollection<Conversation> conversations) {
    PCollectionTuple out =
        conversations.apply(
            "SegmentFields",
            ParDo.of(new SegmentFn(policy))
                .withOutputTags(SEGMENTED, TupleTagList.of(DEAD_LETTERS)));
    out.get(SEGMENTED).setCoder(new ModelCoders.SegmentedRecordCoder());
    out.get(DEAD_LETTERS).setCoder(new ModelCoders.DeadLetterCoder());
    return out;
  }

  static final class SegmentFn extends DoFn<Conversation, SegmentedRecord> {
    private final SegmentPolicy policy;
    private transient Segmenter segmenter;
    private transient Map<String, Counter> spanCounters;
    private final Counter records = Metrics.counter("tarjama", "segment_records");
    private final Counter deadLetters = Metrics.counter("tarjama", "segment_dead_letters");
    private final Counter prosePieces = Metrics.counter("tarjama", "segment_prose_pieces");

    SegmentFn(SegmentPolicy policy) {
      this.policy = policy;
    }

    @Setup
    public void setup() {
      segmenter = new Segmenter(policy);
      spanCounters = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element Conversation conversation, MultiOutputReceiver out) {
      records.inc();
      List<FieldSegments> segments = new ArrayList<>(conversation.fields().size());
      for (int i = 0; i < conversation.fields().size(); i++) {
        TextField field = conversation.fields().get(i);
        List<Piece> pieces;
        try {
          pieces = segmenter.segment(field);
        } catch (RuntimeException e) {
          deadLetters.inc();
          out.get(DEAD_LETTERS).output(DeadLetter.of(conversation.recordId(), STAGE, field.pointer(),
              "cannot segment " + conversation.recordId() + " field " + field.pointer() + ": "
                  + e.getClass().getSimpleName() + ": " + e.getMessage(),
              conversation.json()));
          return;
        }
        segments.add(new FieldSegments(i, pieces));
      }
      for (FieldSegments f : segments) {
        for (Piece p : f.pieces()) {
          if (p.prose()) {
            prosePieces.inc();
            for (String type : p.spanTypes()) {
              count(type);
            }
          } else {
            count(p.spanType());
          }
        }
      }
      out.get(SEGMENTED).output(new SegmentedRecord(conversation, segments));
    }

    private void count(String type) {
      spanCounters.computeIfAbsent(type, t -> Metrics.counter("tarjama", "segment_span_" + t))
          .inc();
    }
  }
}
