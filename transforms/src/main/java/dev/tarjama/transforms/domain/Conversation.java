package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.List;

/**
 * A record interpreted as a conversation: the original JSON, kept untouched so that every extra
 * field survives, plus the list of its text fields in document order. Writing a translation back
 * means replacing the strings at the fields' pointers in {@link #json}.
 *
 * <p>{@code format} names the schema the record was read as: {@code messages} (HF/OpenAI, incl.
 * typed content parts), {@code sharegpt}, {@code alpaca} or {@code fields} (a flat field mapping).
 * {@code split} is the record's {@code source} field when it has one, else the input file's base
 * name: per-split quotas, thresholds and report lines key on it.
 */
@DefaultCoder(ModelCoders.ConversationCoder.class)
public record Conversation(
    String recordId, String split, String format, String json, List<TextField> fields) {
  public Conversation {
    fields = List.copyOf(fields);
  }

  @Override
  public String toString() {
    return "Conversation{" + recordId + ", " + format + ", " + fields.size() + " fields}";
  }
}
