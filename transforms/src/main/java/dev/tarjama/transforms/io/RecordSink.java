package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.RecordKey;
import dev.tarjama.transforms.domain.SourceRecord;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Receives what a file reader finds: records and dead letters. Also the one place where a record's
 * id is chosen, so that every reader names records the same way.
 */
abstract class RecordSink {
  static final String STAGE = "read";

  private final String idField;

  RecordSink(String idField) {
    this.idField = idField;
  }

  abstract void record(SourceRecord record);

  abstract void deadLetter(DeadLetter deadLetter);

  /**
   * Emits a parsed record keyed by {@code positionalId} (its location) and, when an id field is
   * configured and the record has it as a string or a number, by its own id too: the key stays
   * unique when records share an id (see {@link RecordKey}).
   */
  void record(String positionalId, String file, long index, JsonNode tree, String json) {
    String userId = "";
    if (idField != null) {
      JsonNode own = tree.get(idField);
      if (own != null && (own.isTextual() || own.isNumber())) {
        userId = own.asText();
      }
    }
    record(new SourceRecord(new RecordKey(positionalId, userId), file, index, json));
  }

  void deadLetter(String recordId, String error, String original) {
    deadLetter(new DeadLetter(recordId, STAGE, "", error, original, false));
  }

  /** A dead letter that keeps {@code bytes} as text when they are UTF-8, else in Base64. */
  void deadLetter(String recordId, String error, byte[] bytes, int length) {
    deadLetter(recordId, error, bytes, length, -1);
  }

  /**
   * A dead letter that keeps {@code bytes[0..length)} of an original {@code originalLength} bytes
   * long (-1: they are all of it), marked as truncated when they are not all of it.
   */
  void deadLetter(String recordId, String error, byte[] bytes, int length, long originalLength) {
    long whole = originalLength > length ? originalLength : -1;
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(bytes, 0, length))
              .toString();
      deadLetter(new DeadLetter(recordId, STAGE, "", error, text, false, whole));
    } catch (CharacterCodingException e) {
      byte[] exact = java.util.Arrays.copyOf(bytes, length);
      deadLetter(
          new DeadLetter(
              recordId, STAGE, "", error, Base64.getEncoder().encodeToString(exact), true,
              whole));
    }
  }
}
