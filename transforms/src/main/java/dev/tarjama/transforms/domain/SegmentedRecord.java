package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;

/**
 * A conversation with each of its fields cut into prose and protected pieces.
 *
 * @param conversation the record
 * @param fields each translatable field's pieces
 */
@DefaultCoder(ModelCoders.SegmentedRecordCoder.class)
public record SegmentedRecord(Conversation conversation, List<FieldSegments> fields) {
  public SegmentedRecord {
    fields = List.copyOf(fields);
  }

  @Override
  public String toString() {
    return "SegmentedRecord{" + conversation.recordId() + "}";
  }
}
