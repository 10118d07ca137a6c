package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;

/**
 * The unit sent to a translator: sentence-aligned prose of one field, under the token budget, with
 * inline protected spans as placeholders ({@code spans.get(n)} stands behind ⟦n⟧, numbered from 0
 * within the chunk). A chunk never cuts a protected span and never spans two fields.
 * {@code chunkIndex} numbers the chunks of a record from 0; {@code tokens} is the chunk's length
 * counted by the configured tokenizer.
 *
 * @param recordId the record the chunk belongs to
 * @param split the record's split
 * @param chunkIndex the chunk's index within its record, from 0
 * @param fieldIndex the index of the field it was cut from
 * @param text the prose, protected spans as placeholders
 * @param spans the protected spans behind the placeholders, in order
 * @param spanTypes each span's type
 * @param tokens the chunk's length in tokens of the configured tokenizer
 */
@DefaultCoder(ModelCoders.ChunkCoder.class)
public record Chunk(
    String recordId,
    String split,
    int chunkIndex,
    int fieldIndex,
    String text,
    List<String> spans,
    List<String> spanTypes,
    int tokens) {
  public Chunk {
    spans = List.copyOf(spans);
    spanTypes = List.copyOf(spanTypes);
  }

  @Override
  public String toString() {
    return "Chunk{" + recordId + "#" + chunkIndex + ", " + tokens + " tokens: " + text + "}";
  }
}
