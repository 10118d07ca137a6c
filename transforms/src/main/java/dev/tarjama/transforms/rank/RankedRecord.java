package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The ranking decision for one record. In {@link RankCandidates#CHOSEN} {@code winner} is the
 * chosen candidate and {@code reason} is empty; in {@link RankCandidates#REJECTED} {@code winner}
 * is the best candidate that lost (the best valid one, or the best of all when none is valid) and
 * {@code reason} says why, e.g. {@code "below threshold: LR 0.41 < 0.6"} or {@code "no valid
 * candidate: seedx/0: span ⟦2⟧ missing"}. {@code candidateCount} / {@code validCount} count the
 * record's candidate pool.
 */
@DefaultCoder(RankedRecord.RankedRecordCoder.class)
public record RankedRecord(
    String recordId,
    String split,
    Candidate winner,
    int candidateCount,
    int validCount,
    String reason) {
  public boolean chosen() {
    return reason.isEmpty();
  }

  @Override
  public String toString() {
    return "RankedRecord{" + recordId + " " + split + " " + validCount + "/" + candidateCount
        + " valid, " + (reason.isEmpty() ? "chosen " : "rejected (" + reason + ") best ") + winner
        + "}";
  }

  static void write(DataOutputStream out, RankedRecord r) throws IOException {
    ModelCoders.writeUtf8(out, r.recordId);
    ModelCoders.writeUtf8(out, r.split);
    out.writeBoolean(r.winner != null);
    if (r.winner != null) {
      ModelCoders.writeCandidate(out, r.winner);
    }
    out.writeInt(r.candidateCount);
    out.writeInt(r.validCount);
    ModelCoders.writeUtf8(out, r.reason);
  }

  static RankedRecord read(DataInputStream in) throws IOException {
    String recordId = ModelCoders.readUtf8(in);
    String split = ModelCoders.readUtf8(in);
    Candidate winner = in.readBoolean() ? ModelCoders.readCandidate(in) : null;
    return new RankedRecord(
        recordId, split, winner, in.readInt(), in.readInt(), ModelCoders.readUtf8(in));
  }

  /** A compact explicit coder (see {@link ModelCoders} for why not a schema coder). */
  public static final class RankedRecordCoder extends ModelCoders.Typed<RankedRecord> {
    public RankedRecordCoder() {
      super(RankedRecord::write, RankedRecord::read);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(RankedRecord.class), new RankedRecordCoder());
    }
  }
}
