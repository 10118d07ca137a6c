package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;
import java.util.Objects;

/** A conversation with each of its fields cut into prose and protected pieces. */
@DefaultCoder(ModelCoders.SegmentedRecordCoder.class)
public final class SegmentedRecord {
  public final Conversation conversation;
  public final List<FieldSegments> fields;

  public SegmentedRecord(Conversation conversation, List<FieldSegments> fields) {
    this.conversation = conversation;
    this.fields = List.copyOf(fields);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SegmentedRecord s
        && conversation.equals(s.conversation)
        && fields.equals(s.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(conversation, fields);
  }

  @Override
  public String toString() {
    return "SegmentedRecord{" + conversation.recordId() + "}";
  }
}
