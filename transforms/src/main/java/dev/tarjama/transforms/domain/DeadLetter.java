package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.Objects;

/**
 * A record that could not be read or translated. It keeps the original payload so that it can be
 * replayed: {@code original} is the record's text, or its bytes in Base64 when they were not valid
 * UTF-8 ({@code originalBase64} is then true).
 *
 * <p>{@code stage} is where it failed ({@code read}, {@code normalize}, {@code segment}, {@code
 * translate}, …) and {@code field} names the offending field (a JSON Pointer, or {@code ""} when
 * the whole record is at fault).
 *
 * <p>A payload is never cut silently: when only part of the original could be kept (a damaged
 * region longer than a reader holds in memory), {@code truncatedPayload} is true and {@code
 * originalLength} is the length in bytes of the whole original; otherwise {@code originalLength}
 * is -1 and {@code original} is all of it.
 */
@DefaultCoder(ModelCoders.DeadLetterCoder.class)
public final class DeadLetter {
  public final String recordId;
  public final String stage;
  public final String field;
  public final String error;
  public final String original;
  public final boolean originalBase64;
  public final boolean truncatedPayload;
  public final long originalLength;

  public DeadLetter(
      String recordId,
      String stage,
      String field,
      String error,
      String original,
      boolean originalBase64) {
    this(recordId, stage, field, error, original, originalBase64, -1);
  }

  /** A dead letter whose original is cut: {@code originalLength} bytes long in whole (or -1). */
  public DeadLetter(
      String recordId,
      String stage,
      String field,
      String error,
      String original,
      boolean originalBase64,
      long originalLength) {
    this.recordId = recordId;
    this.stage = stage;
    this.field = field;
    this.error = error;
    this.original = original;
    this.originalBase64 = originalBase64;
    this.truncatedPayload = originalLength >= 0;
    this.originalLength = originalLength;
  }

  public static DeadLetter of(
      String recordId, String stage, String field, String error, String original) {
    return new DeadLetter(recordId, stage, field, error, original, false);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter d
        && originalBase64 == d.originalBase64
        && originalLength == d.originalLength
        && recordId.equals(d.recordId)
        && stage.equals(d.stage)
        && field.equals(d.field)
        && error.equals(d.error)
        && original.equals(d.original);
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordId, stage, field, error, original, originalBase64, originalLength);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + recordId + ", " + stage + ", " + field + ": " + error + "}";
  }
}
