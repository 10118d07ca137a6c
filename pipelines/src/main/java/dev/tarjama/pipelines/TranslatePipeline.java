package dev.tarjama.pipelines;

import dev.tarjama.transforms.bilingual.EmitBilingual;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.chunk.ChunkRecords;
import dev.tarjama.transforms.io.LimitRecords;
import dev.tarjama.transforms.io.NormalizeRecords;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.io.OutputFormat;
import dev.tarjama.transforms.io.ReadRecords;
import dev.tarjama.transforms.io.RecordFormat;
import dev.tarjama.transforms.io.WriteRunOutputs;
import dev.tarjama.transforms.io.WriteSummaryFiles;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.rank.PreferencePairs;
import dev.tarjama.transforms.rank.RankCandidates;
import dev.tarjama.transforms.rank.RankedRecord;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.judge.JudgePrompt;
import dev.tarjama.transforms.meaning.JudgeMeaning;
import dev.tarjama.transforms.reassemble.Reassemble;
import dev.tarjama.transforms.quality.EstimateQuality;
import dev.tarjama.transforms.quality.LanguageSignal;
import dev.tarjama.transforms.quality.QualityEstimator;
import dev.tarjama.transforms.quality.QualitySummary;
import dev.tarjama.transforms.report.CountLive;
import dev.tarjama.transforms.report.LiveCounts;
import dev.tarjama.transforms.report.SampleRecords;
import dev.tarjama.transforms.report.SummarizeRun;
import dev.tarjama.transforms.sweep.SweepThresholds;
import dev.tarjama.transforms.sweep.ThresholdGrid;
import dev.tarjama.transforms.sweep.ThresholdSweep;
import dev.tarjama.transforms.score.RewardModelHandler;
import dev.tarjama.transforms.score.ScoreCandidates;
import dev.tarjama.transforms.select.SelectRecords;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.score.ScoreRewards;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.SegmentRecords;
import dev.tarjama.transforms.segment.SpanType;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.translate.DeduplicateChunks;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.translate.TranslateChunks;
import dev.tarjama.models.reward.RewardModelConfig;
import dev.tarjama.models.onnx.ExecutionProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Wires the translate data path from options (DESIGN.md, "Data flow"): read → normalize → select
 * (when any selection option is set) → segment → chunk → translate → reassemble → estimate quality → score (→
 * reward, with {@code --reward-model}) → rank → write, plus the in-pipeline summary the report
 * is made from. With {@code --dry-run} it stops after chunking. No domain logic lives here.
 */
final class TranslatePipeline {
  /** Where the in-pipeline summary lands, under the output directory. */
  static final String SUMMARY = "_summary/summary";

  /** Where the quality gates' counts and examples land, under the output directory. */
  static final String QUALITY_SUMMARY = "_summary/quality";
  /** The HTML report's sample of records ({@link SampleRecords}). */
  static final String SAMPLE_SUMMARY = "_summary/sample";
  /** The HTML report's retention against thresholds ({@link SweepThresholds}). */
  static final String SWEEP_SUMMARY = "_summary/sweep";
  static final int SAMPLE_CHOSEN = 6;
  static final int SAMPLE_REJECTED = 3;
  /** The threshold grids of the report's retention curves: {@code tarjama sweep}'s defaults. */
  static final String SWEEP_MIN_LR = "0.60:0.90:0.05";
  static final String SWEEP_MIN_SCR = "0.80:0.95:0.05";

  static ThresholdSweep reportSweep(RankingPolicy policy) {
    return new ThresholdSweep(policy, ThresholdGrid.parse("--min-lr", SWEEP_MIN_LR),
        ThresholdGrid.parse("--min-scr", SWEEP_MIN_SCR));
  }
  /** Where the description of every output file set lands, under the output directory. */
  static final String OUTPUTS_SUMMARY = "_summary/outputs";

  /** Where the counts of --emit=bilingual land, under the output directory. */
  static final String BILINGUAL_SUMMARY = "_summary/bilingual";

  private TranslatePipeline() {}

  static void build(
      Pipeline pipeline, TranslateOptions options, List<BackendSpec> backends, RankingPolicy policy) {
    build(pipeline, options, backends, policy, null);
  }

  /**
   * With a {@code chunkSink}, only read → chunk, the chunks into the sink (the batch phase's
   * first pass, {@link BatchPhase}); without, the whole run.
   */
  static void build(
      Pipeline pipeline,
      TranslateOptions options,
      List<BackendSpec> backends,
      RankingPolicy policy,
      org.apache.beam.sdk.transforms.PTransform<PCollection<Chunk>, org.apache.beam.sdk.values.PDone>
          chunkSink) {
    String output = withSlash(options.getOutput());
    boolean bilingual = emitsBilingual(options);

    PCollectionTuple records = pipeline.apply("Read", read(options));
    PCollection<SourceRecord> readRecords = records.get(ReadRecords.RECORDS);
    if (options.getLimit() > 0) {
      readRecords = readRecords.apply("Limit", LimitRecords.first(options.getLimit()));
    }
    readRecords = readRecords.apply("CountRead", CountLive.as(LiveCounts.RECORDS_READ));

    PCollectionTuple conversations = readRecords.apply("Normalize", normalization(options));
    PCollection<Conversation> toTranslate = conversations.get(NormalizeRecords.CONVERSATIONS);
    Selection selection = Selections.from(options);
    PCollectionTuple selected = null;
    if (selection.isActive()) {
      selected = toTranslate.apply("Select", SelectRecords.using(selection));
      toTranslate = selected.get(SelectRecords.SELECTED);
    }
    PCollectionTuple segmented =
        toTranslate.apply("Segment", SegmentRecords.withPolicy(segmentPolicy(options)));
    PCollectionTuple chunked =
        segmented.get(SegmentRecords.SEGMENTED).apply("Chunk", chunking(options));
    PCollection<Chunk> chunks =
        chunked.get(ChunkRecords.CHUNKS).apply("CountChunks", CountLive.as(LiveCounts.CHUNKS));
    if (chunkSink != null) {
      chunks.apply("Collect batch requests", chunkSink);
      return;
    }

    PCollectionList<DeadLetter> deadLetters =
        PCollectionList.of(records.get(ReadRecords.DEAD_LETTERS))
            .and(conversations.get(NormalizeRecords.DEAD_LETTERS))
            .and(segmented.get(SegmentRecords.DEAD_LETTERS))
            .and(chunked.get(ChunkRecords.DEAD_LETTERS));

    PCollectionTuple summary =
        PCollectionTuple.of(SummarizeRun.READ, readRecords);
    if (selected != null) {
      summary = summary.and(SummarizeRun.SELECTION, selected.get(SelectRecords.OUTCOMES));
    }
    PCollectionTuple outputs = PCollectionTuple.empty(pipeline);
    // Every summary file through one writer, once the summaries are all there.
    PCollectionTuple summaries = PCollectionTuple.empty(pipeline);

    summary = summary.and(SummarizeRun.CHUNKS, chunks);
    if (options.getDryRun()) {
      if (options.getDedupe()) {
        summary = summary.and(SummarizeRun.DUPLICATE_CHUNKS, chunks
            .apply("Deduplicate", DeduplicateChunks.create()).get(DeduplicateChunks.DUPLICATES));
      }
    } else {
      PCollectionTuple translated = chunks.apply("Translate", translation(options, backends));
      summary =
          summary.and(SummarizeRun.DUPLICATE_CHUNKS, translated.get(TranslateChunks.DUPLICATES));
      PCollection<Candidate> candidates =
          candidates(translated, chunked.get(ChunkRecords.PLANS), options, backends, policy);
      if (options.getRewardModel() != null) {
        PCollectionTuple rewarded =
            candidates.apply("Reward", ScoreRewards.with(rewardHandler(options)).withPolicy(policy));
        candidates = rewarded.get(ScoreRewards.SCORED);
        outputs =
            outputs
                .and(WriteRunOutputs.REWARD_FAILURES, rewarded.get(ScoreRewards.FAILURES))
                .and(WriteRunOutputs.PREFERENCES,
                    PCollectionTuple.of(PreferencePairs.CANDIDATES, candidates)
                        .and(PreferencePairs.SOURCES, toTranslate)
                        .apply("Preferences",
                            PreferencePairs.create().withMinGap(options.getPreferenceMinGap())));
      }

      summaries = summaries.and(summaryFile(QUALITY_SUMMARY),
          candidates.apply("SummarizeQuality", QualitySummary.under(policy.quality())));
      // The HTML report's retention curves: the sweep's re-ranking, over the candidates as their
      // candidates/ lines read back without the record (the decision never reads it), so this
      // shuffle stays small.
      summaries = summaries.and(summaryFile(SWEEP_SUMMARY), candidates
          .apply("Sweep", SweepThresholds.overCandidates(reportSweep(policy))));
      PCollectionTuple ranked = candidates.apply("Rank", RankCandidates.create().withPolicy(policy));
      deadLetters = deadLetters.and(ranked.get(RankCandidates.DEAD_LETTERS));

      PCollection<RankedRecord> chosen =
          rebundled(ranked.get(RankCandidates.CHOSEN), "RebundleChosen", options)
              .apply("CountChosen", CountLive.as(LiveCounts.RECORDS_DECIDED));
      PCollection<RankedRecord> rejected =
          rebundled(ranked.get(RankCandidates.REJECTED), "RebundleRejected", options)
              .apply("CountRejected", CountLive.as(LiveCounts.RECORDS_DECIDED));
      if (bilingual) {
        summaries = summaries.and(summaryFile(BILINGUAL_SUMMARY), writeBilingual(
            PCollectionTuple.of(EmitBilingual.CHOSEN, chosen)
                .and(EmitBilingual.CONVERSATIONS, conversations.get(NormalizeRecords.CONVERSATIONS))
                .apply("EmitBilingual", EmitBilingual.create()),
            output, numShards(options)));
      }
      outputs =
          outputs
              .and(WriteRunOutputs.CHOSEN, chosen)
              .and(WriteRunOutputs.REJECTED, rejected)
              .and(WriteRunOutputs.CANDIDATES, candidates);
      summary =
          summary
              .and(SummarizeRun.CANDIDATES, candidates)
              .and(
                  SummarizeRun.CHOSEN,
                  chosen.apply("Winners", MapElements.into(TypeDescriptor.of(Candidate.class))
                      .via((RankedRecord r) -> r.winner()))
                      .setCoder(candidates.getCoder()))
              .and(
                  SummarizeRun.REJECTED,
                  rejected.apply("RejectedSplits",
                      MapElements.into(TypeDescriptors.strings()).via((RankedRecord r) -> r.split())));
      // The HTML report's side-by-side sample (a few records, the same on every runner).
      summaries = summaries.and(summaryFile(SAMPLE_SUMMARY),
          PCollectionTuple.of(SampleRecords.CANDIDATES, candidates)
              .and(SampleRecords.CHOSEN, chosen)
              .and(SampleRecords.REJECTED, rejected)
              .apply("SampleRecords",
                  SampleRecords.of(SAMPLE_CHOSEN, SAMPLE_REJECTED, policy.quality())));
    }

    PCollection<DeadLetter> allDeadLetters =
        deadLetters.apply("AllDeadLetters", Flatten.pCollections());
    summaries
        .and(summaryFile(OUTPUTS_SUMMARY, ".jsonl"), outputs
            .and(WriteRunOutputs.DEAD_LETTERS, allDeadLetters)
            .apply("Write", WriteRunOutputs.to(output).withNumShards(numShards(options))
                .withFormat(outputFormat(options))))
        .and(summaryFile(SUMMARY), summary
            .and(SummarizeRun.DEAD_LETTERS, allDeadLetters)
            .apply("Summarize", SummarizeRun.create()))
        .apply("WriteSummaries",
            WriteSummaryFiles.to(OutputLayout.TRANSLATE.folder(output, "_summary")));
  }

  private static ReadRecords read(TranslateOptions options) {
    ReadRecords read = ReadRecords.from(options.getInput());
    return options.getIdField() == null ? read : read.withIdField(options.getIdField());
  }

  private static NormalizeRecords normalization(TranslateOptions options) {
    NormalizeRecords normalize =
        NormalizeRecords.auto().withSplitField(options.getSplitField());
    if (!options.getFormat().equals("auto")) {
      normalize = normalize.withFormat(RecordFormat.fromLabel(options.getFormat()));
    }
    if (options.getFieldMapping() != null) {
      normalize = normalize.withFieldMapping(options.getFieldMapping());
    }
    return normalize;
  }

  private static SegmentPolicy segmentPolicy(TranslateOptions options) {
    return SegmentPolicy.defaults()
        .withTranslatedRoles(Arrays.asList(options.getTranslateRoles().split("\\s*,\\s*")))
        .withTranslateThink(options.getTranslateThink())
        .withTranslatedSpanTypes(
            Arrays.stream(options.getTranslateSpanTypes().split("\\s*,\\s*"))
                .filter(id -> !id.isEmpty())
                .map(SpanType::fromId)
                .toArray(SpanType[]::new));
  }

  private static ChunkRecords chunking(TranslateOptions options) {
    ChunkRecords chunk = ChunkRecords.create().withTokenBudget(options.getTokenBudget());
    if (options.getTokenizer() != null) {
      chunk = chunk.withTokenizer(options.getTokenizer());
    }
    if (options.getChunkLines() > 0) {
      chunk = chunk.withLineMode(options.getChunkLines());
    }
    return chunk;
  }

  private static TranslateChunks translation(
      TranslateOptions options, List<BackendSpec> backends) {
    TranslateChunks translate = TranslateChunks.with(backends)
        .withShuffleBuckets(shuffleBuckets(options))
        .withCache(cacheUri(options))
        .withDeduplication(options.getDedupe())
        .withSpendingLimit(spendingLimit(options));
    return isFlinkEmbedded(options) ? translate.onOneWorker() : translate;
  }

  /** Flink in this JVM ({@code --flinkMaster=[local]}, translate's default runner). */
  static boolean isFlinkEmbedded(TranslateOptions options) {
    return FlinkRunner.class.isAssignableFrom(options.getRunner())
        && "[local]".equals(options.as(FlinkPipelineOptions.class).getFlinkMaster());
  }

  /**
   * Every record's candidates from its chunks' translations: judged for meaning with {@code
   * --qe-judge}, reassembled by the records' plans, their quality estimated and scored.
   */
  private static PCollection<Candidate> candidates(
      PCollectionTuple translated,
      PCollection<RecordPlan> plans,
      TranslateOptions options,
      List<BackendSpec> backends,
      RankingPolicy policy) {
    PCollection<ChunkTranslation> chunkTranslations =
        PCollectionList.of(translated.get(TranslateChunks.TRANSLATIONS))
            .and(translated.get(TranslateChunks.FAILURES))
            .apply("AllChunkTranslations", Flatten.pCollections());
    if (options.getQeJudge() != null && !options.getQeJudge().isBlank()) {
      chunkTranslations =
          chunkTranslations.apply(
              "Judge meaning",
              JudgeMeaning.using(JudgeMeaning.judgeBackend(options.getQeJudge(), backends))
                  .withPrompt(JudgePrompt.resolve(options.getQeJudgePrompt()))
                  .withCache(cacheUri(options))
                  .withShuffleBuckets(shuffleBuckets(options)));
    }
    Map<String, Integer> expected = new LinkedHashMap<>();
    for (BackendSpec backend : backends) {
      expected.put(backend.label(), backend.k());
    }
    return rebundled(
            PCollectionTuple.of(Reassemble.PLANS, plans)
                .and(Reassemble.TRANSLATIONS, chunkTranslations)
                .apply("Reassemble", Reassemble.expecting(expected)),
            "RebundleCandidates", options)
        .apply("EstimateQuality",
            EstimateQuality.with(qualityEstimator(options)).withPolicy(policy.quality()))
        .apply(
            "Score",
            ScoreCandidates.forScript(options.getTargetScript())
                .withR0(options.getR0())
                .withPolicy(policy))
        .apply("CountScored", CountLive.as(LiveCounts.CANDIDATES_SCORED));
  }

  /** {@code --output-format}, else Parquet for a Parquet input and JSON Lines otherwise. */
  static OutputFormat outputFormat(TranslateOptions options) {
    return OutputFormat.choose(options.getOutputFormat(), options.getInput());
  }

  /** Whether {@code --emit} asks for bilingual outputs; an unknown value is an error. */
  static boolean emitsBilingual(TranslateOptions options) {
    boolean bilingual = false;
    for (String emit : options.getEmit().split("\\s*,\\s*")) {
      if (emit.equals("bilingual")) {
        bilingual = true;
      } else if (!emit.isEmpty()) {
        throw new IllegalArgumentException("--emit=" + emit + " is not known; known: bilingual");
      }
    }
    return bilingual;
  }

  /** Writes the bilingual folders; returns their counts, for {@link #BILINGUAL_SUMMARY}. */
  private static PCollection<String> writeBilingual(
      PCollectionTuple emitted, String output, int shards) {
    emitted.get(EmitBilingual.TUPLES).apply("WriteBilingual",
        OutputLayout.TRANSLATE.jsonLines(output, "bilingual", shards));
    emitted.get(EmitBilingual.TRANSLATOR_TRAINING).apply("WriteTranslatorTraining",
        OutputLayout.TRANSLATE.jsonLines(output, "translator_training", shards));
    return emitted.get(EmitBilingual.SUMMARY);
  }

  /** The JSON file under {@code _summary/} of {@code name}, {@link #SUMMARY} or another. */
  static TupleTag<String> summaryFile(String name) {
    return summaryFile(name, ".json");
  }

  static TupleTag<String> summaryFile(String name, String suffix) {
    return WriteSummaryFiles.file(name.substring(name.indexOf('/') + 1) + suffix);
  }

  /**
   * The run's quality signals: the defaults for {@code --target-language} and r₀, plus target-side
   * language ID when {@code --langid-model} is given.
   */
  static QualityEstimator qualityEstimator(TranslateOptions options) {
    QualityEstimator estimator =
        QualityEstimator.defaults(options.getTargetLanguage(), options.getR0());
    if (options.getLangidModel() != null) {
      estimator = estimator.withSignal(
          LanguageSignal.of(options.getLangidModel(), options.getTargetLanguage()));
    }
    return estimator;
  }

  /** The embedded store's file under a run's output directory. */
  static final String DEFAULT_CACHE = "_cache/translations.db";

  /** How many of {@code backends} this run gives every chunk, not each distinct text once. */
  static int backendsAskedEveryChunk(TranslateOptions options, List<BackendSpec> backends) {
    boolean cached = !TranslationCaches.isNone(cacheUri(options));
    int n = 0;
    for (BackendSpec backend : backends) {
      if (TranslateChunks.asksEveryChunk(backend, options.getDedupe(), cached)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The cache of a run: {@code --cache}, else the embedded store in OUTPUT/_cache/ when the output
   * is a local path (where a resumed run into the same OUTPUT finds it), else none.
   */
  static String cacheUri(TranslateOptions options) {
    return cacheUri(options.getCache(), options.getOutput(), DEFAULT_CACHE);
  }

  /** {@code cache} when given, else the embedded store {@code file} under a local output. */
  static String cacheUri(String cache, String outputDir, String file) {
    if (cache != null && !cache.isBlank()) {
      return cache.strip();
    }
    String output = withSlash(outputDir);
    if (output.startsWith("file:")) {
      output = output.substring("file:".length());
    } else if (output.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return "none"; // gs:// and the like: give --cache=redis://… for a cluster
    }
    return "sqlite:" + java.nio.file.Path.of(output).toAbsolutePath().normalize().resolve(file);
  }

  /** The reward model of {@code --reward-model}, its provider and batch size. */
  static RewardModelHandler rewardHandler(TranslateOptions options) {
    RewardModelConfig config =
        RewardModelConfig.of(Path.of(options.getRewardModel()))
            .withProvider(ExecutionProvider.parse(options.getRewardProvider()));
    RewardModelHandler handler = RewardModelHandler.of(config);
    return handler.withBatching(
        handler.batching().withMaxBatchSize(options.getRewardBatchSize()));
  }

  /** The durable spend ledger's file under a run's output directory. */
  static final String SPEND_LEDGER = "_spend/ledger.jsonl";

  /**
   * {@code --max-cost} and {@code --max-tokens}, with a ledger of their own for this run; under a
   * local output the ledger is also kept in OUTPUT/{@value #SPEND_LEDGER} (every paid attempt, a
   * resumed run starts from it), limit or not.
   */
  static SpendingLimit spendingLimit(TranslateOptions options) {
    if (options.getMaxCost() < 0 || options.getMaxTokens() < 0) {
      throw new IllegalArgumentException("--max-cost and --max-tokens must be >= 0 (0: no limit)");
    }
    SpendingLimit limit = options.getMaxCost() == 0 && options.getMaxTokens() == 0
        ? SpendingLimit.none()
        : SpendingLimit.of(options.getMaxCost(), options.getMaxTokens());
    Path ledger = spendLedger(options);
    return ledger == null ? limit
        : SpendingLimit.of(limit.maxCostUsd(), limit.maxTokens()).withLedgerFile(ledger.toString());
  }

  /** OUTPUT/{@value #SPEND_LEDGER} when the output is a local path, else null. */
  static Path spendLedger(TranslateOptions options) {
    String output = withSlash(options.getOutput());
    if (output.startsWith("file:")) {
      output = output.substring("file:".length());
    } else if (output.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return null; // gs:// and the like: the ledger stays per worker JVM
    }
    return Path.of(output).toAbsolutePath().normalize().resolve(SPEND_LEDGER);
  }

  /** The DirectRunner makes one bundle per key: a few keys keep many chunks in flight at once. */
  static int shuffleBuckets(TranslateOptions options) {
    if (options.getShuffleBuckets() == 0 && isDirect(options)) {
      return 16;
    }
    return options.getShuffleBuckets();
  }

  /**
   * After a per-record grouping: on the DirectRunner, which makes one bundle per key and prepares
   * every stage anew for each bundle, the elements are gathered into a few large bundles; other
   * runners bundle well and get the elements as they are.
   */
  static <T> PCollection<T> rebundled(
      PCollection<T> in, String name, TranslateOptions options) {
    return isDirect(options)
        ? in.apply(name, dev.tarjama.transforms.backend.SpreadOverBuckets.of(DIRECT_BUNDLES))
        : in;
  }

  /** How many bundles the DirectRunner's stages after a per-record grouping get. */
  static final int DIRECT_BUNDLES = 16;

  /** The DirectRunner writes a file per bundle, and bundles after a GroupByKey hold one key. */
  static int numShards(TranslateOptions options) {
    if (options.getNumShards() == 0 && isDirect(options)) {
      return 1;
    }
    return options.getNumShards();
  }

  private static boolean isDirect(TranslateOptions options) {
    return options.getRunner().getSimpleName().equals("DirectRunner");
  }

  static String withSlash(String dir) {
    return dir.endsWith("/") ? dir : dir + "/";
  }
}
