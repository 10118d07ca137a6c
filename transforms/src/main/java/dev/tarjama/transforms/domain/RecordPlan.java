package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;
import java.util.Objects;

/**
 * Everything reassembly needs to rebuild one record from its translated chunks: the original
 * conversation, a plan per field, and the chunks themselves (their source text and protected
 * spans). Fields without a plan are copied unchanged.
 */
@DefaultCoder(ModelCoders.RecordPlanCoder.class)
public final class RecordPlan {
  public final Conversation conversation;
  public final List<FieldPlan> fields;
  public final List<Chunk> chunks;

  public RecordPlan(Conversation conversation, List<FieldPlan> fields, List<Chunk> chunks) {
    this.conversation = conversation;
    this.fields = List.copyOf(fields);
    this.chunks = List.copyOf(chunks);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordPlan p
        && conversation.equals(p.conversation)
        && fields.equals(p.fields)
        && chunks.equals(p.chunks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(conversation, fields, chunks);
  }

  @Override
  public String toString() {
    return "RecordPlan{" + conversation.recordId() + ", " + chunks.size() + " chunks}";
  }
}
