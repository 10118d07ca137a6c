package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;

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
 *
 * @param recordId the record's id
 * @param stage where it failed
 * @param field the offending field's JSON Pointer ("" for the whole record)
 * @param error what went wrong
 * @param original the original payload (text, or Base64 when {@code originalBase64})
 * @param originalBase64 whether {@code original} is Base64 of bytes that were not UTF-8
 * @param originalLength the whole original's length in bytes when {@code original} is cut, else -1
 */
@DefaultCoder(ModelCoders.DeadLetterCoder.class)
public record DeadLetter(
    String recordId,
    String stage,
    String field,
    String error,
    String original,
    boolean originalBase64,
    long originalLength) {
  public DeadLetter(
      String recordId,
      String stage,
      String field,
      String error,
      String original,
      boolean originalBase64) {
    this(recordId, stage, field, error, original, originalBase64, -1);
  }

  /** Whether only part of the original could be kept ({@code originalLength} is then its length). */
  public boolean truncatedPayload() {
    return originalLength >= 0;
  }

  public static DeadLetter of(
      String recordId, String stage, String field, String error, String original) {
    return new DeadLetter(recordId, stage, field, error, original, false);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + recordId + ", " + stage + ", " + field + ": " + error + "}";
  }
}
