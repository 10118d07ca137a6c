package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.judge.JudgeParallelPairs;
import dev.tarjama.transforms.judge.JudgePrompt;
import dev.tarjama.transforms.judge.ParallelFormat;
import dev.tarjama.transforms.judge.ReadParallelPairs;
import dev.tarjama.transforms.judge.SummarizeJudgement;
import dev.tarjama.transforms.judge.WriteJudgeOutputs;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.report.JudgeReport;
import dev.tarjama.transforms.report.RunCounters;
import dev.tarjama.transforms.report.RunStatistics;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * {@code tarjama judge}: reads an English–Arabic parallel corpus, asks one OpenAI-compatible judge
 * a strict accept/reject question per pair, writes accepted/, rejected/, undecided/ and
 * dead_letter/, then report.json and report.md, and fails (exit 1) when input ≠ accepted + rejected
 * + undecided + dead_letter. Exit 2: bad options, or Moses files that are not line-aligned.
 */
final class JudgeCommand {
  static final String SUMMARY = "_summary/summary";
  /** The judge's default cache under a local output. */
  static final String JUDGE_CACHE = "_cache/judgements.db";

  private JudgeCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    PipelineOptionsFactory.register(JudgeOptions.class);
    CommandLine line;
    JudgeOptions options;
    try {
      line = CommandLine.parse(args, "backend");
      options = PipelineOptionsFactory.fromArgs(line.beamArgs).withValidation().as(JudgeOptions.class);
    } catch (IllegalArgumentException e) {
      err.println("tarjama judge: " + e.getMessage());
      return 2;
    }
    options.setBackend(line.repeated);
    if (Arrays.stream(line.beamArgs).noneMatch(a -> a.startsWith("--enforceImmutability"))) {
      // As for translate: the DirectRunner's immutability check costs minutes on big inputs.
      options.as(DirectOptions.class).setEnforceImmutability(false);
    }
    FileSystems.setDefaultPipelineOptions(options);

    ParallelFormat format;
    BackendSpec backend;
    JudgePrompt prompt;
    ReadParallelPairs read;
    JudgeParallelPairs judge;
    try {
      format = format(options);
      if (line.repeated.size() != 1) {
        throw new IllegalArgumentException(
            "give exactly one --backend=name=…,url=…,model=… as the judge (got "
                + line.repeated.size() + ")");
      }
      backend = BackendSpec.parse(line.repeated.get(0));
      if (backend.toString().matches("(?i)(.*,)?\\s*prompt\\s*=.*")) {
        throw new IllegalArgumentException(
            "the backend's prompt= is a translation prompt; give the judge's as --judge-prompt=…");
      }
      prompt = JudgePrompt.resolve(options.getJudgePrompt());
      backend = BackendCaching.withServerIdentities(List.of(backend)).get(0);
      read = reader(options, format);
      judge = JudgeParallelPairs.using(backend).withPrompt(prompt)
          .withCache(TranslatePipeline.cacheUri(options.getCache(), options.getOutput(),
              JUDGE_CACHE))
          .withShuffleBuckets(options.getShuffleBuckets() == 0 && isDirect(options)
              ? 16 : options.getShuffleBuckets());
      if (format == ParallelFormat.MOSES) {
        ReadParallelPairs.checkAligned(options.getInputEn(), options.getInputAr());
      }
    } catch (IllegalArgumentException | IOException e) {
      err.println("tarjama judge: " + e.getMessage());
      return 2;
    }

    BackendSpec judgeBackend = backend;
    Optional<String> placement = ClusterChecks.problem(options, options.getOutput(),
        TranslatePipeline.cacheUri(options.getCache(), options.getOutput(), JUDGE_CACHE))
        .or(() -> ClusterChecks.keyProblem(options, List.of(judgeBackend)));
    if (placement.isPresent()) {
      err.println("tarjama judge: " + placement.get());
      return 2;
    }
    String output = TranslatePipeline.withSlash(options.getOutput());
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple pairs = pipeline.apply("Read", read);
    PCollectionTuple judged = pairs.get(ReadParallelPairs.PAIRS).apply("Judge", judge);
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(pairs.get(ReadParallelPairs.DEAD_LETTERS))
            .and(judged.get(JudgeParallelPairs.DEAD_LETTERS))
            .apply("AllDeadLetters", Flatten.pCollections());
    PCollectionTuple outputs =
        PCollectionTuple.of(JudgeParallelPairs.ACCEPTED, judged.get(JudgeParallelPairs.ACCEPTED))
            .and(JudgeParallelPairs.REJECTED, judged.get(JudgeParallelPairs.REJECTED))
            .and(JudgeParallelPairs.UNDECIDED, judged.get(JudgeParallelPairs.UNDECIDED))
            .and(JudgeParallelPairs.DEAD_LETTERS, deadLetters);
    int shards = options.getNumShards() == 0 && isDirect(options) ? 1 : options.getNumShards();
    outputs.apply("Write", WriteJudgeOutputs.to(output).withNumShards(shards));
    outputs
        .and(SummarizeJudgement.READ, pairs.get(ReadParallelPairs.PAIRS))
        .apply("Summarize", SummarizeJudgement.create())
        .apply("WriteSummary", TextIO.write().to(OutputLayout.JUDGE.folder(output, "_summary")
            + "summary").withSuffix(".json").withoutSharding());

    // An earlier judge run's outputs (another sharding, another verdict split) go as a whole.
    OutputLayout.JUDGE.clear(output);
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    if (state != PipelineResult.State.DONE) {
      err.println("tarjama judge: the pipeline ended " + state);
      return 1;
    }

    RunStatistics stats = SummaryFile.statistics(output + SUMMARY);
    JudgeReport.Settings settings = new JudgeReport.Settings(
        format == ParallelFormat.MOSES
            ? options.getInputEn() + " + " + options.getInputAr() : options.getInput(),
        format.label(), options.getOutput(), options.getRunner().getSimpleName());
    ObjectNode report = JudgeReport.json(settings, backend, prompt, stats,
        RunCounters.of(result), wallSeconds);
    TranslateCommand.writeText(
        OutputLayout.JUDGE.file(output, "report.json"), report.toPrettyString() + "\n");
    TranslateCommand.writeText(
        OutputLayout.JUDGE.file(output, "report.md"), JudgeReport.markdown(report));
    JsonNode counts = report.get("counts");
    out.printf(Locale.ROOT, "tarjama judge: %s in %.1f s -> %s%n", counts, wallSeconds,
        output + "report.md");
    String problem = JudgeReport.countsProblem(counts);
    if (problem != null) {
      err.println("tarjama judge: " + problem);
      return 1;
    }
    return 0;
  }

  static ParallelFormat format(JudgeOptions options) {
    boolean moses = options.getInputEn() != null || options.getInputAr() != null;
    ParallelFormat format;
    if (options.getFormat().equals("auto")) {
      String input = options.getInput() == null ? "" : options.getInput().toLowerCase(Locale.ROOT);
      format = moses ? ParallelFormat.MOSES
          : input.endsWith(".jsonl") || input.endsWith(".jsonl.gz") ? ParallelFormat.JSONL
          : ParallelFormat.TSV;
    } else {
      format = ParallelFormat.parse(options.getFormat());
    }
    if (format == ParallelFormat.MOSES) {
      if (options.getInputEn() == null || options.getInputAr() == null
          || options.getInput() != null) {
        throw new IllegalArgumentException(
            "a Moses-style corpus is given as --input-en=FILE --input-ar=FILE (and no --input)");
      }
    } else if (options.getInput() == null || moses) {
      throw new IllegalArgumentException(
          "--format=" + format.label() + " reads --input=FILE_OR_GLOB (--input-en/--input-ar are"
              + " for --format=moses)");
    }
    return format;
  }

  private static ReadParallelPairs reader(JudgeOptions options, ParallelFormat format) {
    return switch (format) {
      case TSV -> ReadParallelPairs.tsv(options.getInput()).withColumns(options.getColumns());
      case JSONL -> ReadParallelPairs.jsonl(options.getInput())
          .withFields(options.getEnField(), options.getArField(), options.getIdField());
      case MOSES -> ReadParallelPairs.moses(options.getInputEn(), options.getInputAr());
    };
  }

  private static boolean isDirect(JudgeOptions options) {
    return options.getRunner().getSimpleName().equals("DirectRunner");
  }
}
