package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;
import java.util.Objects;

/**
 * The unit sent to a translator: sentence-aligned prose of one field, under the token budget, with
 * inline protected spans as placeholders ({@code spans.get(n)} stands behind ⟦n⟧, numbered from 0
 * within the chunk). A chunk never cuts a protected span and never spans two fields.
 * {@code chunkIndex} numbers the chunks of a record from 0; {@code tokens} is the chunk's length
 * counted by the configured tokenizer.
 */
@DefaultCoder(ModelCoders.ChunkCoder.class)
public final class Chunk {
  public final String recordId;
  public final String split;
  public final int chunkIndex;
  public final int fieldIndex;
  public final String text;
  public final List<String> spans;
  public final List<String> spanTypes;
  public final int tokens;

  public Chunk(
      String recordId,
      String split,
      int chunkIndex,
      int fieldIndex,
      String text,
      List<String> spans,
      List<String> spanTypes,
      int tokens) {
    this.recordId = recordId;
    this.split = split;
    this.chunkIndex = chunkIndex;
    this.fieldIndex = fieldIndex;
    this.text = text;
    this.spans = List.copyOf(spans);
    this.spanTypes = List.copyOf(spanTypes);
    this.tokens = tokens;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Chunk c
        && chunkIndex == c.chunkIndex
        && fieldIndex == c.fieldIndex
        && tokens == c.tokens
        && recordId.equals(c.recordId)
        && split.equals(c.split)
        && text.equals(c.text)
        && spans.equals(c.spans)
        && spanTypes.equals(c.spanTypes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordId, chunkIndex, fieldIndex, text, spans, tokens);
  }

  @Override
  public String toString() {
    return "Chunk{" + recordId + "#" + chunkIndex + ", " + tokens + " tokens: " + text + "}";
  }
}
