package dev.tarjama.transforms.model;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.Objects;

/**
 * One input record as read from a file, before its schema is interpreted: valid UTF-8 JSON text
 * plus its {@link RecordKey} (where it came from, and its own id field when one is configured);
 * {@code recordId} is the key's {@link RecordKey#id()}, the id every later stage carries.
 */
@DefaultCoder(ModelCoders.SourceRecordCoder.class)
public final class SourceRecord {
  public final RecordKey key;
  public final String recordId;
  public final String file;
  public final long index;
  public final String json;

  public SourceRecord(RecordKey key, String file, long index, String json) {
    this.key = key;
    this.recordId = key.id();
    this.file = file;
    this.index = index;
    this.json = json;
  }

  /** A record known by its location only ({@code file:line} or {@code file#index}). */
  public SourceRecord(String location, String file, long index, String json) {
    this(RecordKey.at(location), file, index, json);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceRecord r
        && index == r.index
        && key.equals(r.key)
        && file.equals(r.file)
        && json.equals(r.json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, file, index, json);
  }

  @Override
  public String toString() {
    return "SourceRecord{" + recordId + "}";
  }
}
