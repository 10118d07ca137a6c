package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.evaluate.SegmentFiles;
import dev.tarjama.transforms.evaluate.SystemScores;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.report.EvaluationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code tarjama evaluate}: scores one or more systems' EN→X translations against references with
 * BLEU, chrF++ and ROUGE-L ({@link dev.tarjama.transforms.evaluate.EvaluateTranslations}), a
 * system being a file of translations or a translator (a {@code --backend} spec), which is run on
 * the sources first. Writes {@code OUTPUT/scores.json}, {@code OUTPUT/translations/NAME.txt} for
 * translator systems, {@code OUTPUT/dead_letter/} for segments that could not be translated, and
 * prints a table.
 */
final class EvaluateCommand {
  /** Options of {@code tarjama evaluate}. */
  public interface EvaluateOptions extends PipelineOptions, ClusterChecks.ClusterOptions {
    @Description("Source segments: a plain-text file, one segment per line (\\n or \\r\\n)")
    @Validation.Required
    String getSources();

    void setSources(String value);

    @Description("Reference translations: a plain-text file, line i translating line i of --sources")
    @Validation.Required
    String getReferences();

    void setReferences(String value);

    @Description("Output directory: scores.json, translations/, dead_letter/")
    @Validation.Required
    String getOutput();

    void setOutput(String value);
  }

  private EvaluateCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    PipelineOptionsFactory.register(EvaluateOptions.class);
    EvaluateOptions options;
    List<EvaluationSystem> systems;
    List<String> sources;
    List<String> references;
    try {
      CommandLine line = CommandLine.parse(args, "system");
      options =
          PipelineOptionsFactory.fromArgs(line.beamArgs).withValidation().as(EvaluateOptions.class);
      systems = parseSystems(line.repeated);
      TranslateCommand.relaxDirectRunnerChecks(options, line.beamArgs);
      FileSystems.setDefaultPipelineOptions(options);
      sources = SegmentFiles.read(options.getSources());
      references = SegmentFiles.read(options.getReferences());
      SegmentFiles.requireSameLength("--references", options.getReferences(), references,
          "--sources", options.getSources(), sources);
      for (EvaluationSystem system : systems) {
        system.readTranslations(sources, options.getSources());
      }
    } catch (IllegalArgumentException | IOException e) {
      err.println("tarjama evaluate: " + e.getMessage());
      return 2;
    }
    if (sources.isEmpty()) {
      err.println("tarjama evaluate: " + options.getSources() + " has no segments");
      return 2;
    }

    Optional<String> placement = ClusterChecks.problem(options, options.getOutput(), null)
        .or(() -> ClusterChecks.keyProblem(options, systems.stream()
            .filter(EvaluationSystem::isTranslator).map(EvaluationSystem::backend).toList()));
    if (placement.isPresent()) {
      err.println("tarjama evaluate: " + placement.get());
      return 2;
    }
    String output = TranslatePipeline.withSlash(options.getOutput());
    Pipeline pipeline = Pipeline.create(options);
    EvaluatePipeline.build(pipeline, output, sources, references, systems);
    // An earlier evaluation's outputs (systems no longer given among them) go as a whole.
    OutputLayout.EVALUATE.clear(output);
    long start = System.nanoTime();
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    if (state != PipelineResult.State.DONE) {
      err.println("tarjama evaluate: the pipeline ended " + state);
      return 1;
    }

    Map<String, SystemScores> scores = readScores(output, systems);
    TranslateCommand.writeText(OutputLayout.EVALUATE.file(output, "scores.json"),
        EvaluationReport.json(scores.values()).toPrettyString() + "\n");
    long failed = 0;
    for (EvaluationSystem system : systems) {
      if (system.isTranslator()) {
        writeTranslations(output, system.name(), sources.size());
      }
      failed += scores.get(system.name()).failed();
    }
    deleteAll(output + EvaluatePipeline.TEMP + "*");
    deleteDirectory(output + EvaluatePipeline.TEMP);

    out.print(EvaluationReport.table(scores.values()));
    out.printf(Locale.ROOT, "%d segments, %d systems in %.1f s -> %sscores.json%n",
        sources.size(), systems.size(), wallSeconds, output);
    if (failed > 0) {
      out.printf(Locale.ROOT,
          "%d segment translations failed and were scored as empty: see %sdead_letter/%n",
          failed, output);
    }
    return 0;
  }

  static List<EvaluationSystem> parseSystems(List<String> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one --system=NAME=FILE or --system=NAME=kind=local,path=DIR (a backend)");
    }
    List<EvaluationSystem> systems = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (String spec : specs) {
      EvaluationSystem system = EvaluationSystem.parse(spec);
      if (!names.add(system.name())) {
        throw new IllegalArgumentException("two systems are named '" + system.name() + "'");
      }
      systems.add(system);
    }
    return systems;
  }

  /** The results in the command line's system order. */
  private static Map<String, SystemScores> readScores(String output, List<EvaluationSystem> systems)
      throws IOException {
    Map<String, SystemScores> read = new LinkedHashMap<>();
    for (String line : readLines(output + EvaluatePipeline.SCORES + "*")) {
      JsonNode node = RecordJson.parse(line);
      String system = node.get("system").asText();
      read.put(system, SystemScores.fromJson(system, node));
    }
    Map<String, SystemScores> ordered = new LinkedHashMap<>();
    for (EvaluationSystem system : systems) {
      SystemScores s = read.get(system.name());
      if (s == null) {
        throw new IOException("the run wrote no scores for system " + system.name());
      }
      ordered.put(system.name(), s);
    }
    return ordered;
  }

  /** OUTPUT/translations/NAME.txt: line i is the system's translation of source line i. */
  private static void writeTranslations(String output, String system, int segments)
      throws IOException {
    String[] lines = new String[segments];
    java.util.Arrays.fill(lines, "");
    for (String line : readLines(output + EvaluatePipeline.TRANSLATIONS + "*")) {
      JsonNode node = RecordJson.parse(line);
      if (node.get("system").asText().equals(system)) {
        // One segment per line: a translation that spans lines is joined by spaces.
        lines[node.get("index").asInt()] =
            node.get("hypothesis").asText().replaceAll("\\s*[\\r\\n]+\\s*", " ");
      }
    }
    StringBuilder text = new StringBuilder();
    for (String l : lines) {
      text.append(l).append('\n');
    }
    TranslateCommand.writeText(
        OutputLayout.EVALUATE.folder(output, "translations") + system + ".txt", text.toString());
  }

  private static List<String> readLines(String glob) throws IOException {
    List<String> lines = new ArrayList<>();
    MatchResult match = FileSystems.match(glob);
    if (match.status() != MatchResult.Status.OK) {
      return lines;
    }
    for (MatchResult.Metadata m : match.metadata()) {
      try (InputStream in = Channels.newInputStream(FileSystems.open(m.resourceId()))) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      }
    }
    return lines;
  }

  private static void deleteAll(String glob) throws IOException {
    MatchResult match = FileSystems.match(glob);
    if (match.status() != MatchResult.Status.OK) {
      return;
    }
    List<ResourceId> ids = new ArrayList<>();
    for (MatchResult.Metadata m : match.metadata()) {
      ids.add(m.resourceId());
    }
    FileSystems.delete(ids, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** Removes an empty directory where the file system has directories (local); else nothing. */
  private static void deleteDirectory(String dir) {
    try {
      FileSystems.delete(List.of(FileSystems.matchNewResource(dir, true)),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException e) {
      // object stores have no directories; a leftover empty one is harmless
    }
  }
}
