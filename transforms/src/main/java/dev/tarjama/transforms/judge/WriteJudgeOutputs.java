package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.io.OutputRecords;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a judge run under one directory (local or gs://) as JSON Lines ({@link JudgeOutputs}):
 * {@code accepted/}, {@code rejected/}, {@code undecided/} and {@code dead_letter/}. Input: a tuple
 * with {@link JudgeParallelPairs#ACCEPTED}, {@link JudgeParallelPairs#REJECTED}, {@link
 * JudgeParallelPairs#UNDECIDED} and {@link JudgeParallelPairs#DEAD_LETTERS} (every dead letter of
 * the run: read and judge); an absent tag writes nothing. The folders are {@link
 * OutputLayout#JUDGE}'s, which a rerun clears first.
 */
public final class WriteJudgeOutputs extends PTransform<PCollectionTuple, PDone> {
  private final String directory;
  private final int shards;

  private WriteJudgeOutputs(String directory, int shards) {
    this.directory = directory;
    this.shards = shards;
  }

  public static WriteJudgeOutputs to(String directory) {
    return new WriteJudgeOutputs(directory.endsWith("/") ? directory : directory + "/", 0);
  }

  /** A fixed number of files per output folder; 0 (the default) lets the runner decide. */
  public WriteJudgeOutputs withNumShards(int shards) {
    return new WriteJudgeOutputs(directory, shards);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("output", directory).withLabel("Output directory"));
    builder.addIfNotDefault(DisplayData.item("numShards", shards).withLabel("Files per file set"), 0);
  }

  @Override
  public PDone expand(PCollectionTuple input) {
    if (input.has(JudgeParallelPairs.ACCEPTED)) {
      write(input.get(JudgeParallelPairs.ACCEPTED).apply("FormatAccepted",
          MapElements.into(TypeDescriptors.strings()).via(JudgeOutputs::accepted)), "accepted");
    }
    if (input.has(JudgeParallelPairs.REJECTED)) {
      write(input.get(JudgeParallelPairs.REJECTED).apply("FormatRejected",
          MapElements.into(TypeDescriptors.strings()).via(JudgeOutputs::judged)), "rejected");
    }
    if (input.has(JudgeParallelPairs.UNDECIDED)) {
      write(input.get(JudgeParallelPairs.UNDECIDED).apply("FormatUndecided",
          MapElements.into(TypeDescriptors.strings()).via(JudgeOutputs::judged)), "undecided");
    }
    if (input.has(JudgeParallelPairs.DEAD_LETTERS)) {
      write(input.get(JudgeParallelPairs.DEAD_LETTERS).apply("FormatDeadLetters",
          MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter)),
          "dead_letter");
    }
    return PDone.in(input.getPipeline());
  }

  private void write(PCollection<String> lines, String name) {
    lines.apply("Write_" + name, OutputLayout.JUDGE.jsonLines(directory, name, shards));
  }
}
