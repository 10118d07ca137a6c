package dev.tarjama.transforms.select;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
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

  /** Five strings in a fixed order: compact and deterministic. */
  public static final class OutcomeCoder extends AtomicCoder<SelectionOutcome> {
    @Override
    public void encode(SelectionOutcome value, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ModelCoders.writeUtf8(out, value.recordId);
      ModelCoders.writeUtf8(out, value.split);
      ModelCoders.writeUtf8(out, value.stratum);
      ModelCoders.writeUtf8(out, value.reason);
      ModelCoders.writeUtf8(out, value.detail);
      out.flush();
    }

    @Override
    public SelectionOutcome decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new SelectionOutcome(ModelCoders.readUtf8(in), ModelCoders.readUtf8(in),
          ModelCoders.readUtf8(in), ModelCoders.readUtf8(in), ModelCoders.readUtf8(in));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
