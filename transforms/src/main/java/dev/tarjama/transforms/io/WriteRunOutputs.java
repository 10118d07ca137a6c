package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.rank.PreferencePair;
import dev.tarjama.transforms.rank.RankedRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes the outputs of a translate run under one directory through {@link WriteOutputs} (Parquet,
 * JSON Lines or gzipped JSON Lines, one schema per file set): {@code chosen/} (one file set per
 * record format, {@link ChosenShapes}), {@code candidates/}, {@code rejected/} and {@code
 * dead_letter/}, with a reward model {@code preferences/} (TRL preference pairs) and {@code
 * reward_failures/} (candidates the reward model failed on; they stay in the pool without a reward)
 * (see {@link OutputRecords} for each row). Every tag of the input tuple that is present is
 * written, as zero-row files when it holds nothing; an absent one writes nothing. Output: {@link
 * WriteOutputs}' description of every file set.
 */
public final class WriteRunOutputs extends PTransform<PCollectionTuple, PCollection<String>> {
  public static final TupleTag<RankedRecord> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<RankedRecord> REJECTED = new TupleTag<>() {};
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  public static final TupleTag<PreferencePair> PREFERENCES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> REWARD_FAILURES = new TupleTag<>() {};

  private final WriteOutputs write;
  // Kept beside the writer for the job graph's display data (WriteOutputs does not expose them).
  private final String directory;
  private final OutputFormat format;
  private final int shards;

  private WriteRunOutputs(WriteOutputs write, String directory, OutputFormat format, int shards) {
    this.write = write;
    this.directory = directory;
    this.format = format;
    this.shards = shards;
  }

  public static WriteRunOutputs to(String directory) {
    return new WriteRunOutputs(
        WriteOutputs.to(directory)
            .folder("chosen", OutputRecords.CHOSEN_COLUMNS, new ChosenShapes())
            .folder("candidates", OutputRecords.CANDIDATE_COLUMNS)
            .folder("rejected", OutputRecords.REJECTED_COLUMNS)
            .folder("dead_letter", OutputRecords.DEAD_LETTER_COLUMNS)
            .folder("preferences", OutputRecords.PREFERENCE_COLUMNS)
            .folder("reward_failures", OutputRecords.DEAD_LETTER_COLUMNS),
        directory, OutputFormat.JSONL, 0);
  }

  /** A fixed number of files per file set; 0 (the default) lets the runner decide. */
  public WriteRunOutputs withNumShards(int shards) {
    return new WriteRunOutputs(write.withNumShards(shards), directory, format, shards);
  }

  public WriteRunOutputs withFormat(OutputFormat format) {
    return new WriteRunOutputs(write.withFormat(format), directory, format, this.shards);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("output", directory).withLabel("Output directory"));
    builder.add(DisplayData.item("format", format.label()).withLabel("Output format"));
    builder.addIfNotDefault(DisplayData.item("numShards", shards).withLabel("Files per file set"), 0);
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    PCollectionTuple rows = PCollectionTuple.empty(input.getPipeline());
    if (input.has(CHOSEN)) {
      rows = rows.and(WriteOutputs.rows("chosen"), input.get(CHOSEN).apply("FormatChosen",
          MapElements.into(TypeDescriptors.strings()).via(r -> OutputRecords.chosen(r.winner()))));
    }
    if (input.has(REJECTED)) {
      rows = rows.and(WriteOutputs.rows("rejected"), input.get(REJECTED).apply("FormatRejected",
          MapElements.into(TypeDescriptors.strings())
              .via(r -> OutputRecords.rejected(r.recordId(), r.split(), r.reason(), r.winner()))));
    }
    if (input.has(CANDIDATES)) {
      rows = rows.and(WriteOutputs.rows("candidates"), input.get(CANDIDATES).apply(
          "FormatCandidates", MapElements.into(TypeDescriptors.strings())
              .via(c -> OutputRecords.candidate(c).toString())));
    }
    if (input.has(DEAD_LETTERS)) {
      rows = rows.and(WriteOutputs.rows("dead_letter"), input.get(DEAD_LETTERS).apply(
          "FormatDeadLetters",
          MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter)));
    }
    if (input.has(PREFERENCES)) {
      rows = rows.and(WriteOutputs.rows("preferences"), input.get(PREFERENCES).apply(
          "FormatPreferences",
          MapElements.into(TypeDescriptors.strings()).via(OutputRecords::preference)));
    }
    if (input.has(REWARD_FAILURES)) {
      rows = rows.and(WriteOutputs.rows("reward_failures"), input.get(REWARD_FAILURES).apply(
          "FormatRewardFailures",
          MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter)));
    }
    return rows.apply("WriteFolders", write);
  }
}
