package dev.tarjama.transforms.io;

import dev.tarjama.transforms.model.Candidate;
import dev.tarjama.transforms.model.DeadLetter;
import dev.tarjama.transforms.rank.PreferencePair;
import dev.tarjama.transforms.rank.RankedRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes the outputs of a translate run under one directory (local or gs://, through Beam
 * FileSystems), as JSON Lines: {@code chosen/}, {@code candidates/}, {@code rejected/} and {@code
 * dead_letter/}, with a reward model {@code preferences/} (TRL preference pairs) and {@code
 * reward_failures/} (candidates the reward model failed on; they stay in the pool without a reward)
 * (see {@link OutputRecords} for each line). Every tag of the input tuple that is
 * present is written; an absent one writes nothing. The folders are {@link OutputLayout#TRANSLATE}'s,
 * which a rerun clears first.
 */
public final class WriteRunOutputs extends PTransform<PCollectionTuple, PDone> {
  public static final TupleTag<RankedRecord> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<RankedRecord> REJECTED = new TupleTag<>() {};
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  public static final TupleTag<PreferencePair> PREFERENCES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> REWARD_FAILURES = new TupleTag<>() {};

  private final String directory;
  private final int shards;

  private WriteRunOutputs(String directory, int shards) {
    this.directory = directory;
    this.shards = shards;
  }

  public static WriteRunOutputs to(String directory) {
    return new WriteRunOutputs(directory.endsWith("/") ? directory : directory + "/", 0);
  }

  /** A fixed number of files per output; 0 (the default) lets the runner decide. */
  public WriteRunOutputs withNumShards(int shards) {
    return new WriteRunOutputs(directory, shards);
  }

  @Override
  public PDone expand(PCollectionTuple input) {
    if (input.has(CHOSEN)) {
      write(
          input.get(CHOSEN).apply("FormatChosen",
              MapElements.into(TypeDescriptors.strings()).via(r -> OutputRecords.chosen(r.winner))),
          "chosen");
    }
    if (input.has(REJECTED)) {
      write(
          input.get(REJECTED).apply("FormatRejected",
              MapElements.into(TypeDescriptors.strings())
                  .via(r -> OutputRecords.rejected(r.recordId, r.split, r.reason, r.winner))),
          "rejected");
    }
    if (input.has(CANDIDATES)) {
      write(
          input.get(CANDIDATES).apply("FormatCandidates",
              MapElements.into(TypeDescriptors.strings())
                  .via(c -> OutputRecords.candidate(c).toString())),
          "candidates");
    }
    if (input.has(DEAD_LETTERS)) {
      write(
          input.get(DEAD_LETTERS).apply("FormatDeadLetters",
              MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter)),
          "dead_letter");
    }
    if (input.has(PREFERENCES)) {
      write(
          input.get(PREFERENCES).apply("FormatPreferences",
              MapElements.into(TypeDescriptors.strings()).via(OutputRecords::preference)),
          "preferences");
    }
    if (input.has(REWARD_FAILURES)) {
      write(
          input.get(REWARD_FAILURES).apply("FormatRewardFailures",
              MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter)),
          "reward_failures");
    }
    return PDone.in(input.getPipeline());
  }

  private void write(PCollection<String> lines, String name) {
    lines.apply("Write_" + name, OutputLayout.TRANSLATE.jsonLines(directory, name, shards));
  }
}
