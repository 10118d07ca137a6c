package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
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
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Interprets records as conversations: finds each record's schema (HF/OpenAI {@code messages},
 * ShareGPT, Alpaca, or a flat field mapping) and lists the strings to translate with their JSON
 * Pointers and roles, leaving the record's JSON untouched. See {@link ConversationNormalizer} for
 * what each format yields.
 *
 * <p>Input: {@link SourceRecord}s, as {@link ReadRecords} emits them.
 *
 * <p>Outputs ({@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #CONVERSATIONS}: one {@link Conversation} per record, {@code format} the schema it
 *       was read as, {@code split} the record's split field ({@code source} by default) or else
 *       the file's base name without extensions.
 *   <li>{@link #DEAD_LETTERS}: one {@link DeadLetter} (stage {@code normalize}) per record that fits
 *       no schema or breaks it (content of the wrong type, empty content without tool calls, an
 *       empty message list, a missing role, …), naming the field by its JSON Pointer and keeping
 *       the record's JSON.
 * </ul>
 *
 * <p>Counters: {@code normalized_<format>} per format and {@code normalize_dead_letters}.
 */
public final class NormalizeRecords
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  public static final TupleTag<Conversation> CONVERSATIONS = new TupleTag<Conversation>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  /** The field that names a record's split unless configured otherwise (SmolTalk2's). */
  public static final String DEFAULT_SPLIT_FIELD = "source";

  private final @Nullable RecordFormat format;
  private final @Nullable FieldMapping fieldMapping;
  private final String splitField;

  private NormalizeRecords(
      @Nullable RecordFormat format, @Nullable FieldMapping fieldMapping, String splitField) {
    this.format = format;
    this.fieldMapping = fieldMapping;
    this.splitField = splitField;
  }

  /** Detects each record's format from its fields. */
  public static NormalizeRecords auto() {
    return new NormalizeRecords(null, null, DEFAULT_SPLIT_FIELD);
  }

  /** Reads every record as {@code format}; a record that does not fit it is a dead letter. */
  public NormalizeRecords withFormat(RecordFormat format) {
    return new NormalizeRecords(format, fieldMapping, splitField);
  }

  /**
   * Maps a flat record's fields to roles, e.g. {@code "question=user,answer=assistant"} (names
   * starting with {@code /} are JSON Pointers). Used for records that have no chat schema, and for
   * every record under {@code withFormat(FIELDS)}.
   */
  public NormalizeRecords withFieldMapping(String mapping) {
    return new NormalizeRecords(format, FieldMapping.parse(mapping), splitField);
  }

  /** Takes a record's split from its string field {@code field} (default {@code source}). */
  public NormalizeRecords withSplitField(String field) {
    return new NormalizeRecords(format, fieldMapping, field);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("format", format == null ? "auto" : format.label())
        .withLabel("Record format"));
    builder.addIfNotNull(DisplayData.item(
        "fieldMapping", fieldMapping == null ? null : fieldMapping.toString())
        .withLabel("Field mapping"));
    builder.add(DisplayData.item("splitField", splitField).withLabel("Split field"));
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    return records.apply(
        "NormalizeToConversation",
        ParDo.of(new NormalizeFn(new ConversationNormalizer(format, fieldMapping, splitField)))
            .withOutputTags(CONVERSATIONS, TupleTagList.of(DEAD_LETTERS)));
  }

  static final class NormalizeFn extends DoFn<SourceRecord, Conversation> {
    private final Counter deadLetters = Metrics.counter("tarjama", "normalize_dead_letters");
    private final ConversationNormalizer normalizer;

    NormalizeFn(ConversationNormalizer normalizer) {
      this.normalizer = normalizer;
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      ConversationNormalizer.Result result = normalizer.normalize(record);
      if (result.conversation != null) {
        Metrics.counter("tarjama", "normalized_" + result.conversation.format()).inc();
        out.get(CONVERSATIONS).output(result.conversation);
      } else {
        deadLetters.inc();
        out.get(DEAD_LETTERS).output(result.deadLetter);
      }
    }
  }
}
