package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.onnx.ModelLoadException;
import dev.tarjama.models.reward.RewardModel;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.rank.RewardNormalization;
import dev.tarjama.transforms.report.BatchReport;
import dev.tarjama.transforms.report.BilingualReport;
import dev.tarjama.transforms.report.DatasetCard;
import dev.tarjama.transforms.report.DeadLetterReasons;
import dev.tarjama.transforms.report.DryRunEstimate;
import dev.tarjama.transforms.report.QualityReport;
import dev.tarjama.transforms.report.RunCounters;
import dev.tarjama.transforms.report.RunReport;
import dev.tarjama.transforms.report.Provenance;
import dev.tarjama.transforms.report.Timeline;
import dev.tarjama.transforms.report.RunStatistics;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.DataflowTemplateJob;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code tarjama translate}: runs the translate pipeline, then writes report.json, report.md and
 * report.html
 * and fails (exit 1) when the counts do not add up. With {@code --dry-run} it translates nothing
 * and estimates calls, tokens and cost per backend instead.
 */
final class TranslateCommand {
  private TranslateCommand() {}

  /** Where {@code --dry-run} writes its estimate under {@code --output}: beside a run, not over it. */
  static final String ESTIMATE = "_estimate";

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (OptionsHelp.asked(args)) {
      OptionsHelp.print(out, USAGE, TranslateOptions.class, HELP_GROUPS);
      return 0;
    }
    try {
      Launch launch = launch(args, out);
      Pipeline pipeline = build(launch);
      RunDirectory runDirectory = new RunDirectory(launch.output());
      if (launch.runs()) {
        startRun(launch.options(), runDirectory, out);
      }
      ObjectNode batchReport = null;
      if (launch.runs() && BatchPhase.any(launch.backends())) {
        // Batch backends get their answers into the cache first; the run then reads them there.
        BatchPhase.Result batches = BatchPhase.run(launch.options(), launch.backends(),
            launch.policy(), launch.options().getResume(), out);
        if (batches.exitCode() != null) {
          return batches.exitCode();
        }
        launch = launch.withBackends(batches.backends());
        batchReport = batches.report();
        pipeline = build(launch);
      }
      Ran ran = execute(pipeline, launch, out);
      if (ran == null) {
        return 0;
      }
      Reports reports = launch.options().getDryRun()
          ? dryRunReports(launch, ran) : runReports(launch, ran, batchReport);
      write(launch, ran, reports, args);
      // A run whose counts do not add up lost or doubled records: it stays unfinished, so that
      // nobody takes its outputs for a whole run (and a --resume writes them anew).
      if (!launch.options().getDryRun() && reports.problem() == null) {
        runDirectory.markFinished();
      }
      return verdict(launch, ran, reports, out, err);
    } catch (Exit e) {
      e.message().ifPresent(m -> err.println("tarjama translate: " + m));
      return e.code();
    }
  }

  /** A run that stops before the pipeline ends: its exit code, and what to tell the user. */
  private static final class Exit extends Exception {
    private final int code;

    Exit(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    int code() {
      return code;
    }

    Optional<String> message() {
      return Optional.ofNullable(getMessage());
    }
  }

  /**
   * What the command runs: the options, the backends (probed: their identities are in the cache
   * keys), the ranking policy, and whether it only writes a Dataflow job spec.
   */
  private record Launch(
      TranslateOptions options,
      List<BackendSpec> backends,
      RankingPolicy policy,
      boolean jobSpecOnly) {
    Launch withBackends(List<BackendSpec> backends) {
      return new Launch(options, backends, policy, jobSpecOnly);
    }

    /** Whether it runs a translation (not a dry run, not a job spec). */
    boolean runs() {
      return !options.getDryRun() && !jobSpecOnly;
    }

    String output() {
      return TranslatePipeline.withSlash(options.getOutput());
    }
  }

  /** The pipeline's end: its result, wall time, progress timeline and start. */
  private record Ran(
      PipelineResult result, double wallSeconds, Timeline timeline, java.time.Instant started) {}

  /**
   * report.json and report.md as made, the counts' problem (null: none), the budget's stop, and
   * the run's statistics they were made from.
   */
  private record Reports(ObjectNode json, String markdown, String problem,
      boolean stoppedByBudget, RunStatistics stats) {}

  /** The options and backends, checked before anything runs: a usage error exits 2. */
  private static Launch launch(String[] args, PrintStream out) throws Exception {
    PipelineOptionsFactory.register(TranslateOptions.class);
    CommandLine line;
    TranslateOptions options;
    try {
      line = CommandLine.parse(args, "backend");
      options =
          PipelineOptionsFactory.fromArgs(line.beamArgs).withValidation().as(TranslateOptions.class);
    } catch (IllegalArgumentException e) {
      throw new Exit(2, e.getMessage());
    }
    options.setBackend(line.repeated);
    relaxDirectRunnerChecks(options, line.beamArgs);
    FileSystems.setDefaultPipelineOptions(options);

    List<BackendSpec> backends;
    RankingPolicy policy;
    try {
      backends = parseBackends(options.getBackend());
      policy = policy(options);
    } catch (IllegalArgumentException e) {
      throw new Exit(2, e.getMessage());
    }
    DefaultRunner.apply(options, line.beamArgs, backends);
    List<BackendSpec> given = backends;
    Optional<String> placement = ClusterChecks.problem(options, options.getOutput(),
        options.getDryRun() ? null : TranslatePipeline.cacheUri(options))
        .or(() -> ClusterChecks.keyProblem(options, given))
        .or(() -> BatchPhase.problem(options, given));
    if (placement.isPresent()) {
      throw new Exit(2, placement.get());
    }
    moreDirectRunnerThreadsForApiCalls(options, line.beamArgs, backends);
    if (backends.isEmpty() && !options.getDryRun()) {
      throw new Exit(2, "give at least one --backend=name=…,url=…,model=… (or --dry-run)");
    }
    if (options.getRewardModel() != null && !options.getDryRun()) {
      // Fail at start-up, not on a worker minutes later: load the model once and check it.
      try (RewardModel model = RewardModel.load(TranslatePipeline.rewardHandler(options).config())) {
        out.println("tarjama translate: " + model.describe());
      } catch (ModelLoadException | IllegalArgumentException e) {
        throw new Exit(2, "--reward-model: " + e.getMessage());
      }
    }
    // --templateLocation writes a Dataflow job spec and runs nothing here: no run to mark, and the
    // output (a gs:// path) must not be touched from a machine that may have no credentials.
    boolean jobSpecOnly =
        options.as(DataflowPipelineOptions.class).getTemplateLocation() != null;
    return new Launch(options, preflight(options, backends, jobSpecOnly, out), policy,
        jobSpecOnly);
  }

  /** The input matched, the output checked, and the backends probed (their identities kept). */
  private static List<BackendSpec> preflight(
      TranslateOptions options, List<BackendSpec> backends, boolean jobSpecOnly, PrintStream out)
      throws Exit {
    if (jobSpecOnly) {
      // What each server says it serves enters the cache keys (another model, another key).
      return BackendCaching.withServerIdentities(backends);
    }
    try {
      options.setInput(TranslatePreflight.input(options.getInput()));
      if (options.getDryRun()) {
        options.setOutput(TranslatePipeline.withSlash(options.getOutput()) + ESTIMATE);
        return backends;
      }
      TranslatePreflight.output(
          TranslatePipeline.withSlash(options.getOutput()), options.getInput(),
          options.getOverwrite());
      // One probe: reachable, key accepted, model listed, and its identity for the cache keys.
      return TranslatePreflight.probe(backends, out);
    } catch (TranslatePreflight.UserError e) {
      throw new Exit(2, e.getMessage());
    }
  }

  private static Pipeline build(Launch launch) throws Exit {
    Pipeline pipeline = Pipeline.create(launch.options());
    try {
      TranslatePipeline.build(pipeline, launch.options(), launch.backends(), launch.policy());
    } catch (IllegalArgumentException e) {
      throw new Exit(2, e.getMessage());
    }
    return pipeline;
  }

  /**
   * Marks the output folder as holding a run that has started: refused over an unfinished run
   * unless resumed; a crashed run's outputs cleared; the spending ledger started again unless a
   * run is resumed.
   */
  private static void startRun(
      TranslateOptions options, RunDirectory runDirectory, PrintStream out) throws Exception {
    String output = TranslatePipeline.withSlash(options.getOutput());
    Optional<String> unfinished = runDirectory.unfinished();
    if (unfinished.isPresent() && !options.getResume()) {
      throw new Exit(2, output + " holds an unfinished run (" + unfinished.get()
          + "): finish it with --resume (what it translated comes from the cache), or give "
          + "another --output");
    }
    if (options.getResume() && unfinished.isEmpty()) {
      out.println("tarjama translate --resume: no unfinished run in " + output
          + "; running the whole job (the cache answers what it holds)");
    }
    // A crashed run may have left outputs of its own: the resumed run writes them all anew.
    runDirectory.clearOutputs();
    // What a killed run paid counts against a resumed run's budget; a new run starts at 0.
    Path ledger = TranslatePipeline.spendLedger(options);
    if (ledger != null && !(options.getResume() && unfinished.isPresent())) {
      Files.deleteIfExists(ledger);
    }
    runDirectory.markStarted(options.getInput(), options.getResume());
  }

  /**
   * Runs the pipeline to its end with the progress line; null when it only wrote a Dataflow job
   * spec. A pipeline that does not end DONE exits 1.
   */
  private static Ran execute(Pipeline pipeline, Launch launch, PrintStream out) throws Exit {
    TranslateOptions options = launch.options();
    long start = System.nanoTime();
    java.time.Instant started = java.time.Instant.now();
    Timeline timeline;
    PipelineResult result;
    PipelineResult.State state;
    // Before run(): a runner whose run() blocks (Flink embedded) reports through live counts.
    try (Progress progress =
        Progress.every(options.getProgressSeconds(), launch.backends().size(),
            TranslatePipeline.backendsAskedEveryChunk(options, launch.backends()), out)) {
      result = pipeline.run();
      if (result instanceof DataflowTemplateJob) {
        // --templateLocation: Dataflow wrote a job spec and ran nothing, so there is no report.
        out.println(
            "tarjama translate: wrote the Dataflow job spec to "
                + options.as(DataflowPipelineOptions.class).getTemplateLocation());
        return null;
      }
      state = result.waitUntilFinish();
      timeline = progress.timeline();
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    if (state != PipelineResult.State.DONE) {
      throw new Exit(1, "the pipeline ended " + state);
    }
    return new Ran(result, wallSeconds, timeline, started);
  }

  private static Reports dryRunReports(Launch launch, Ran ran) throws IOException {
    TranslateOptions options = launch.options();
    RunStatistics stats = SummaryFile.statistics(launch.output() + TranslatePipeline.SUMMARY);
    ObjectNode json = DryRunEstimate.json(
        new DryRunEstimate.Settings(options.getInput(), options.getTokenizer(),
            options.getDedupe(), options.getOutputTokenRatio(), Selections.from(options)),
        launch.backends(), stats, ran.wallSeconds());
    return new Reports(json, DryRunEstimate.markdown(json), null, false, stats);
  }

  /** The run's report from its summaries and counters, with every section the run has. */
  private static Reports runReports(Launch launch, Ran ran, ObjectNode batchReport)
      throws IOException {
    TranslateOptions options = launch.options();
    String output = launch.output();
    RunStatistics stats = SummaryFile.statistics(output + TranslatePipeline.SUMMARY);
    Map<String, Long> counters = RunCounters.of(ran.result());
    RunReport report =
        RunReport.translate(
                reportSettings(options), stats, counters, policyReport(options, launch.policy()),
                calibration(options), ran.wallSeconds())
            .withSelection(Selections.from(options), stats)
            .withBudget(launch.backends(), counters, TranslatePipeline.spendLedger(options));
    report.cache(TranslatePipeline.cacheUri(options), options.getDedupe(), options.getResume());
    report.withCosts(launch.backends());
    ObjectNode json = report.json();
    String markdown = report.markdown();
    if (batchReport != null) {
      json.set("batches", batchReport);
      markdown += BatchReport.markdown(batchReport);
    }
    JsonNode quality =
        QualityReport.section(SummaryFile.read(output + TranslatePipeline.QUALITY_SUMMARY));
    json.set("quality", quality);
    markdown += QualityReport.markdown(quality);
    if (TranslatePipeline.emitsBilingual(options)) {
      JsonNode bilingual = BilingualReport.section(
          SummaryFile.read(output + TranslatePipeline.BILINGUAL_SUMMARY));
      json.set("bilingual", bilingual);
      markdown += BilingualReport.markdown(bilingual);
    }
    return new Reports(json, markdown, report.countsProblem(), report.stoppedByBudget(), stats);
  }

  /** report.json, report.md and, for a run, the dataset card and report.html. */
  private static void write(Launch launch, Ran ran, Reports reports, String[] args)
      throws IOException {
    TranslateOptions options = launch.options();
    String output = launch.output();
    ObjectNode json = reports.json();
    if (!options.getDryRun()) {
      // The dataset card and report.json's outputs describe the same file sets.
      String format = TranslatePipeline.outputFormat(options).label();
      List<DatasetCard.Config> configs = DatasetCard.configs(
          readLines(output + TranslatePipeline.OUTPUTS_SUMMARY + ".jsonl"));
      json.set("outputs", DatasetCard.outputsJson(format, configs));
      writeText(OutputLayout.TRANSLATE.file(output, "README.md"),
          DatasetCard.markdown(configs, json, launch.backends(), format));
    }
    writeText(OutputLayout.TRANSLATE.file(output, "report.json"), json.toPrettyString() + "\n");
    writeText(OutputLayout.TRANSLATE.file(output, "report.md"), reports.markdown());
    if (!options.getDryRun()) {
      writeText(OutputLayout.TRANSLATE.file(output, "report.html"),
          RunReport.html(json, reports.stats(), SummaryFile.read(output + TranslatePipeline.SWEEP_SUMMARY),
              TranslatePipeline.reportSweep(launch.policy()),
              SummaryFile.read(output + TranslatePipeline.SAMPLE_SUMMARY), ran.timeline(),
              launch.backends(),
              Provenance.json(version(), "tarjama translate", Arrays.asList(args), ran.started(),
                  java.time.Instant.now(), settings(launch.backends()))));
    }
  }

  /**
   * The last line and the exit code: 1 when the counts do not add up, 3 when every record is a
   * dead letter (not because of the budget), else 0.
   */
  private static int verdict(
      Launch launch, Ran ran, Reports reports, PrintStream out, PrintStream err)
      throws IOException {
    TranslateOptions options = launch.options();
    JsonNode counts = reports.json().get("counts");
    out.printf(
        Locale.ROOT,
        "tarjama translate%s: %s in %.1f s -> %s%n",
        options.getDryRun() ? " --dry-run" : "",
        counts.toString(),
        ran.wallSeconds(),
        launch.output() + "report.md");
    if (reports.stoppedByBudget()) {
      // Exit 0 all the same: the run did what was asked, every record is accounted for, and the
      // records not translated are dead letters to run again; report.json's budget.stopped tells
      // scripts.
      out.printf(
          Locale.ROOT,
          "tarjama translate: stopped by the budget: %d chunks not sent, their records are dead "
              + "letters \"budget exhausted\"%n",
          reports.json().get("budget").get("chunks_not_sent").asLong());
    }
    if (reports.problem() != null) {
      err.println("tarjama translate: " + reports.problem());
      return 1;
    }
    if (!options.getDryRun() && !reports.stoppedByBudget() && RunReport.everyRecordDead(counts)) {
      err.println("tarjama translate: every record is a dead letter; the first reasons:");
      for (String reason : DeadLetterReasons.first(launch.output(), 3)) {
        err.println("  " + reason);
      }
      return 3;
    }
    return 0;
  }

  /** Each backend's settings as given (a spec holds no key: keys come from variables or secrets). */
  static Map<String, String> settings(List<BackendSpec> backends) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    backends.forEach(b -> out.put(b.label(), b.toString()));
    return out;
  }

  /** Tarjama's version, from the build (version.properties, filtered by Maven). */
  static String version() {
    try (InputStream in = TranslateCommand.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      // fall through: the report says unknown
    }
    return "unknown";
  }

  static final String USAGE =
      "usage: tarjama translate --input=FILE|GLOB|DIR --output=DIR --backend=SPEC … [options]";

  /** The groups of {@code translate --help}, options in kebab case. */
  static final Map<String, List<String>> HELP_GROUPS = helpGroups();

  private static Map<String, List<String>> helpGroups() {
    Map<String, List<String>> g = new java.util.LinkedHashMap<>();
    g.put("Input", List.of("input", "format", "field-mapping", "id-field", "split-field", "limit"));
    g.put("Output", List.of("output", "overwrite", "resume", "emit", "num-shards"));
    g.put("Backends", List.of("backend", "max-cost", "max-tokens", "cache", "dedupe",
        "shuffle-buckets", "batch-wait", "batch-poll-seconds"));
    g.put("Segmenting and chunking", List.of("translate-roles", "translate-span-types",
        "translate-think", "tokenizer", "token-budget", "chunk-lines"));
    g.put("Scoring and ranking", List.of("target-script", "r0", "policy", "reward-model",
        "reward-provider", "reward-normalization", "reward-batch-size", "preference-min-gap"));
    g.put("Source selection", List.of("quota", "think", "no-think", "stratify", "select-total",
        "category-field", "categories", "keep-language", "langid-model",
        "min-language-probability", "drop-code-samples", "max-code-share", "seed"));
    g.put("Estimate and progress", List.of("dry-run", "output-token-ratio", "progress-seconds"));
    return java.util.Collections.unmodifiableMap(g);
  }

  /**
   * The ranking policy: {@code --policy} on top of the defaults, where a reward model makes the
   * default w-reward 1 (an explicit {@code w-reward=…} wins) and {@code --reward-normalization}
   * sets the normalization. A reward weight without a reward model is an error: it would rank on
   * LR and SCR alone while the report claims otherwise.
   */
  static RankingPolicy policy(TranslateOptions options) {
    boolean reward = options.getRewardModel() != null;
    RankingPolicy base = RankingPolicy.defaults();
    if (reward) {
      base = base.withRewardWeight(1)
          .withRewardNormalization(RewardNormalization.parse(options.getRewardNormalization()));
    }
    RankingPolicy policy = base.withSpec(options.getPolicy());
    if (!reward && policy.rewardWeight() > 0) {
      throw new IllegalArgumentException(
          "the policy weighs a reward (w-reward=" + policy.rewardWeight()
              + ") but no --reward-model is given");
    }
    return policy;
  }

  /** The policy as the report records it, with the reward model that fed it. */
  private static JsonNode policyReport(TranslateOptions options, RankingPolicy policy) {
    ObjectNode node = policy.toJsonNode();
    if (options.getRewardModel() != null) {
      ObjectNode reward = node.putObject("reward_model");
      reward.put("path", options.getRewardModel());
      reward.put("provider", options.getRewardProvider());
      reward.put("preference_min_gap", options.getPreferenceMinGap());
    }
    return node;
  }

  /**
   * Only the DirectRunner reads DirectOptions, so setting them is harmless on Flink or Dataflow.
   * The DirectRunner's immutability check walks the whole pipeline graph for every bundle, which
   * made a 4,500-record run spend minutes in the check alone: off unless asked for. The coder
   * (encodability) check stays on.
   */
  static void relaxDirectRunnerChecks(PipelineOptions options, String[] args) {
    boolean asked = Arrays.stream(args).anyMatch(a -> a.startsWith("--enforceImmutability"));
    if (!asked) {
      options.as(DirectOptions.class).setEnforceImmutability(false);
    }
    // run() returns at once, so progress can be printed while the DirectRunner works.
    options.as(DirectOptions.class).setBlockOnRun(false);
  }

  /**
   * The DirectRunner runs every step on max(cores, 3) threads, and a translate bundle holds its
   * thread while it waits for answers: when the other steps took all of them, no request went out
   * and the backend idled (seen as 1-2 s gaps in BackendSaturation on a busy 2-core machine). With
   * API backends only (I/O, not CPU), more threads than cores cost little. Not when a local model
   * runs (its batches are CPU work), nor when {@code --targetParallelism} is given.
   */
  private static void moreDirectRunnerThreadsForApiCalls(
      TranslateOptions options, String[] args, List<BackendSpec> backends) {
    boolean asked = Arrays.stream(args).anyMatch(a -> a.startsWith("--targetParallelism"));
    if (!asked && !backends.isEmpty() && backends.stream().noneMatch(BackendSpec::isLocal)) {
      options.as(DirectOptions.class)
          .setTargetParallelism(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
    }
  }

  static List<BackendSpec> parseBackends(List<String> specs) {
    List<BackendSpec> backends = new ArrayList<>();
    Set<String> labels = new HashSet<>();
    if (specs == null) {
      return backends;
    }
    for (String spec : specs) {
      BackendSpec backend = BackendSpec.parse(spec);
      if (!labels.add(backend.label())) {
        throw new IllegalArgumentException("two backends are labelled '" + backend.label() + "'");
      }
      backends.add(backend);
    }
    return backends;
  }

  private static JsonNode calibration(TranslateOptions options) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("r0", options.getR0());
    node.put(
        "source",
        options.getR0() == DefaultCalibration.R0
            ? "default: tarjama calibrate on the data kit (Tatoeba + XQuAD EN-AR, 13,991 pairs)"
            : "--r0");
    return node;
  }

  /** What the run was asked for, as its report records it. */
  private static RunReport.Settings reportSettings(TranslateOptions options) {
    return new RunReport.Settings(options.getInput(), options.getOutput(),
        options.getRunner().getSimpleName(), options.getIdField() != null, options.getMaxCost(),
        options.getMaxTokens());
  }

  /** The JSON lines of one file the pipeline wrote. */
  private static List<JsonNode> readLines(String path) throws IOException {
    MatchResult match = FileSystems.match(path);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      throw new IOException("the run wrote nothing at " + path);
    }
    List<JsonNode> lines = new ArrayList<>();
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          lines.add(RecordJson.parse(line));
        }
      }
    }
    return lines;
  }

  static void writeText(String path, String text) throws IOException {
    ResourceId id = FileSystems.matchNewResource(path, false);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(id, "text/plain"))) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
