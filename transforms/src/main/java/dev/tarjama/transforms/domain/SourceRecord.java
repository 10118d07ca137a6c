package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One input record as read from a file, before its schema is interpreted: valid UTF-8 JSON text
 * plus its {@link RecordKey} (where it came from, and its own id field when one is configured);
 * {@code recordId} is the key's {@link RecordKey#id()}, the id every later stage carries.
 */
@DefaultCoder(ModelCoders.SourceRecordCoder.class)
public record SourceRecord(RecordKey key, String file, long index, String json) {
  /** A record known by its location only ({@code file:line} or {@code file#index}). */
  public SourceRecord(String location, String file, long index, String json) {
    this(RecordKey.at(location), file, index, json);
  }

  /** The key's {@link RecordKey#id()}: the id every later stage carries. */
  public String recordId() {
    return key.id();
  }

  @Override
  public String toString() {
    return "SourceRecord{" + recordId() + "}";
  }
}
