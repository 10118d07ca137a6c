package dev.tarjama.transforms.select;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * What source selection decided for one record: {@code reason} is "" when it was selected, else
 * one of {@link Selection#LANGUAGE}, {@link Selection#CODE}, {@link Selection#CATEGORY}, {@link
 * Selection#SPLIT_QUOTA}, {@link Selection#QUOTA}. {@code stratum} is the stratum the record
 * belongs to once it passed the filters ("" before, or when the selection has no strata); {@code
 * detail} says more for a person (the language and its probability, the code share, the
 * category).
 */
@DefaultCoder(SelectionOutcome.OutcomeCoder.class)
public record SelectionOutcome(
    String recordId, String split, String stratum, String reason, String detail) {
  public boolean selected() {
    return reason.isEmpty();
  }

  @Override
  public String toString() {
    return "SelectionOutcome{" + recordId + ", " + split + ", " + stratum + ", "
        + (selected() ? "selected" : reason + " " + detail) + "}";
  }

  static void write(DataOutputStream out, SelectionOutcome value) throws IOException {
    ModelCoders.writeUtf8(out, value.recordId);
    ModelCoders.writeUtf8(out, value.split);
    ModelCoders.writeUtf8(out, value.stratum);
    ModelCoders.writeUtf8(out, value.reason);
    ModelCoders.writeUtf8(out, value.detail);
  }

  static SelectionOutcome read(DataInputStream in) throws IOException {
    return new SelectionOutcome(ModelCoders.readUtf8(in), ModelCoders.readUtf8(in),
        ModelCoders.readUtf8(in), ModelCoders.readUtf8(in), ModelCoders.readUtf8(in));
  }

  /** Five strings in a fixed order: compact and deterministic. */
  public static final class OutcomeCoder extends ModelCoders.Typed<SelectionOutcome> {
    public OutcomeCoder() {
      super(SelectionOutcome::write, SelectionOutcome::read);
    }
  }
}
