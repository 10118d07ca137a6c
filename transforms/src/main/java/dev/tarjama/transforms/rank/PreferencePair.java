package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * A translation preference: for one record, its best and its worst valid candidate, when their
 * rank_scores differ by more than a minimum gap. The data a translation reward model trains on (as
 * SmolKalam trained theirs): prompt = the English source, chosen = the better translation,
 * rejected = the worse one. {@code source} is the record as read, so that the pair is written
 * with the full messages (code, think blocks, tool calls and every other protected span in place;
 * {@code OutputRecords.preference}), not the prose LR and SCR measure.
 */
@DefaultCoder(PreferencePair.Coder.class)
public record PreferencePair(
    String recordId, String split, Conversation source, Candidate chosen, Candidate rejected) {
  public PreferencePair {
    Objects.requireNonNull(recordId);
    Objects.requireNonNull(split);
    Objects.requireNonNull(source);
    Objects.requireNonNull(chosen);
    Objects.requireNonNull(rejected);
  }

  /** rank_score of chosen minus rank_score of rejected (> the gap it was made with). */
  public double gap() {
    return chosen.rankScore() - rejected.rankScore();
  }

  /**
   * The pair of one record's pool: best and worst valid, scored candidates in {@link
   * RecordDecision#BEST_FIRST} order (deterministic for ties), when the best's rank_score exceeds
   * the worst's by more than {@code minGap} and their translations differ; empty otherwise (fewer
   * than two valid candidates, too close, or the same text). {@code source} is the record the
   * pool translates.
   */
  public static Optional<PreferencePair> of(
      Conversation source, Iterable<Candidate> pool, double minGap) {
    List<Candidate> valid = new ArrayList<>();
    String recordId = null;
    String split = null;
    for (Candidate c : pool) {
      recordId = c.recordId();
      split = c.split();
      if (c.valid() && !Double.isNaN(c.rankScore())) {
        valid.add(c);
      }
    }
    if (valid.size() < 2) {
      return Optional.empty();
    }
    valid.sort(RecordDecision.BEST_FIRST);
    Candidate best = valid.get(0);
    Candidate worst = valid.get(valid.size() - 1);
    if (!(best.rankScore() - worst.rankScore() > minGap) || best.targetText().equals(worst.targetText())) {
      return Optional.empty();
    }
    return Optional.of(new PreferencePair(recordId, split, source, best, worst));
  }

  @Override
  public String toString() {
    return "PreferencePair{" + recordId + " " + chosen.backend() + "/" + chosen.candidate() + " > "
        + rejected.backend() + "/" + rejected.candidate() + " gap=" + gap() + "}";
  }

  /** Explicit compact coder (two strings, the source record and two candidates). */
  public static final class Coder extends CustomCoder<PreferencePair> {
    private static final ModelCoders.ConversationCoder SOURCE = new ModelCoders.ConversationCoder();

    @Override
    public void encode(PreferencePair value, OutputStream outStream) throws IOException {
      DataOutputStream out = new DataOutputStream(outStream);
      ModelCoders.writeUtf8(out, value.recordId);
      ModelCoders.writeUtf8(out, value.split);
      SOURCE.encode(value.source, out);
      ModelCoders.writeCandidate(out, value.chosen);
      ModelCoders.writeCandidate(out, value.rejected);
      out.flush();
    }

    @Override
    public PreferencePair decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      return new PreferencePair(
          ModelCoders.readUtf8(in), ModelCoders.readUtf8(in), SOURCE.decode(in),
          ModelCoders.readCandidate(in), ModelCoders.readCandidate(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
