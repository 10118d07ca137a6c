package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.io.OutputRecords;
import dev.tarjama.transforms.io.ReadRecords;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.sweep.SweepTable;
import dev.tarjama.transforms.sweep.SweepThresholds;
import dev.tarjama.transforms.sweep.ThresholdGrid;
import dev.tarjama.transforms.sweep.ThresholdSweep;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code tarjama sweep --run=DIR}: retention of a finished run under a grid of (min-lr, min-scr)
 * thresholds, per split, re-ranked from {@code DIR/candidates/} (any output format) without translating again; writes
 * sweep.csv, sweep.md and sweep.svg. Exits 1 when the run's own policy, recomputed, does not
 * choose as many records as its report says (the candidates are not that run's).
 */
final class SweepCommand {
  static final String SUMMARY = "_sweep/summary";

  private SweepCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    PipelineOptionsFactory.register(SweepOptions.class);
    SweepOptions options;
    ThresholdSweep sweep;
    JsonNode report;
    try {
      options = PipelineOptionsFactory.fromArgs(CommandLine.parse(args, "").beamArgs)
          .withValidation().as(SweepOptions.class);
      FileSystems.setDefaultPipelineOptions(options);
      report = readReport(TranslatePipeline.withSlash(options.getRun()) + "report.json");
      String spec = options.getPolicy();
      if (spec.isBlank()) {
        spec = report == null ? "" : report.path("policy").path("spec").asText("");
      }
      sweep = new ThresholdSweep(RankingPolicy.parse(spec),
          ThresholdGrid.parse("--min-lr", options.getMinLr()),
          ThresholdGrid.parse("--min-scr", options.getMinScr()));
    } catch (IllegalArgumentException e) {
      err.println("tarjama sweep: " + e.getMessage());
      return 2;
    }
    String run = TranslatePipeline.withSlash(options.getRun());
    String output = TranslatePipeline.withSlash(
        options.getOutput() == null ? run + "sweep" : options.getOutput());
    MatchResult candidates = FileSystems.match(run + "candidates/*");
    if (candidates.status() != MatchResult.Status.OK || candidates.metadata().isEmpty()) {
      err.println("tarjama sweep: no candidates/ in " + run + " (a --dry-run writes none)");
      return 2;
    }

    if (output.equals(run)) {
      // The sweep's dead_letter/ and _summary/ would replace the run's own.
      err.println("tarjama sweep: --output must not be the run's folder " + run);
      return 2;
    }
    OutputLayout.SWEEP.clear(output);
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple swept =
        pipeline.apply("ReadCandidates", ReadRecords.from(run + "candidates/*"))
            .get(ReadRecords.RECORDS)
            .apply("CandidateJson",
                MapElements.into(TypeDescriptors.strings()).via((SourceRecord r) -> r.json()))
            .apply("Sweep", SweepThresholds.over(sweep));
    swept.get(SweepThresholds.SUMMARY).apply("WriteSummary",
        TextIO.write().to(OutputLayout.SWEEP.folder(output, "_sweep") + "summary")
            .withSuffix(".json").withoutSharding());
    swept.get(SweepThresholds.DEAD_LETTERS)
        .apply("FormatDeadLetters",
            MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter))
        .apply("WriteDeadLetters",
            OutputLayout.SWEEP.jsonLines(output, "dead_letter", 1));
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      err.println("tarjama sweep: the pipeline ended " + state);
      return 1;
    }

    SweepTable table = SweepTable.parse(readText(output + SUMMARY + ".json"), sweep);
    TranslateCommand.writeText(OutputLayout.SWEEP.file(output, "sweep.csv"), table.csv());
    TranslateCommand.writeText(
        OutputLayout.SWEEP.file(output, "sweep.md"), table.markdown(options.getRun()));
    TranslateCommand.writeText(OutputLayout.SWEEP.file(output, "sweep.svg"), table.svg());
    SweepTable.Row all = table.rows().get(SweepTable.ALL);
    out.printf(Locale.ROOT,
        "tarjama sweep: %d records, %d x %d thresholds, %d chosen under the run's policy -> %s%n",
        all.records(), sweep.minLr().size(), sweep.minScr().size(), all.runChosen(),
        output + "sweep.md");
    if (report != null && options.getPolicy().isBlank()) {
      long reported = report.path("counts").path("chosen").asLong(-1);
      if (reported != all.runChosen()) {
        err.printf(Locale.ROOT,
            "tarjama sweep: the run's policy chooses %d records from candidates/, report.json says"
                + " %d: are these candidates from that run?%n", all.runChosen(), reported);
        return 1;
      }
    }
    return 0;
  }

  /** report.json of the run, or null when it has none. */
  private static JsonNode readReport(String path) {
    try {
      MatchResult match = FileSystems.match(path);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        return null;
      }
      return RecordJson.parse(readText(path));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
    }
  }

  private static String readText(String path) throws IOException {
    MatchResult match = FileSystems.match(path);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      throw new IOException("nothing at " + path);
    }
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }
}
