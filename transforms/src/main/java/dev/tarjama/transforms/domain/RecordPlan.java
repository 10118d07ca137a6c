package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;

/**
 * Everything reassembly needs to rebuild one record from its translated chunks: the original
 * conversation, a plan per field, and the chunks themselves (their source text and protected
 * spans). Fields without a plan are copied unchanged.
 *
 * @param conversation the original record
 * @param fields a plan per translated field
 * @param chunks the record's chunks, by index
 */
@DefaultCoder(ModelCoders.RecordPlanCoder.class)
public record RecordPlan(Conversation conversation, List<FieldPlan> fields, List<Chunk> chunks) {
  public RecordPlan {
    fields = List.copyOf(fields);
    chunks = List.copyOf(chunks);
  }

  @Override
  public String toString() {
    return "RecordPlan{" + conversation.recordId() + ", " + chunks.size() + " chunks}";
  }
}
