package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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

  private static final ModelCoders.ConversationCoder SOURCE = new ModelCoders.ConversationCoder();

  static void write(DataOutputStream out, PreferencePair value) throws IOException {
    ModelCoders.writeUtf8(out, value.recordId);
    ModelCoders.writeUtf8(out, value.split);
    SOURCE.encode(value.source, out);
    ModelCoders.writeCandidate(out, value.chosen);
    ModelCoders.writeCandidate(out, value.rejected);
  }

  static PreferencePair read(DataInputStream in) throws IOException {
    return new PreferencePair(
        ModelCoders.readUtf8(in), ModelCoders.readUtf8(in), SOURCE.decode(in),
        ModelCoders.readCandidate(in), ModelCoders.readCandidate(in));
  }

  /** Explicit compact coder (two strings, the source record and two candidates). */
  public static final class Coder extends ModelCoders.Typed<PreferencePair> {
    public Coder() {
      super(PreferencePair::write, PreferencePair::read);
    }
  }
}
