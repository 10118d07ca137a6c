package dev.tarjama.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.reward.RewardModelConfig;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.quality.QualityPolicy;
import dev.tarjama.transforms.report.SampleRecords;
import dev.tarjama.transforms.report.CountLive;
import dev.tarjama.transforms.backend.SpreadOverBuckets;
import dev.tarjama.transforms.batch.CollectBatchRequests;
import dev.tarjama.transforms.backend.CacheLookup;
import dev.tarjama.transforms.backend.ChunkAnswers;
import dev.tarjama.transforms.translate.TranslateChunks;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.bilingual.EmitBilingual;
import dev.tarjama.transforms.chunk.ChunkRecords;
import dev.tarjama.transforms.evaluate.EvaluateTranslations;
import dev.tarjama.transforms.inference.Batching;
import dev.tarjama.transforms.inference.ModelHandler;
import dev.tarjama.transforms.inference.RunInference;
import dev.tarjama.transforms.io.LimitRecords;
import dev.tarjama.transforms.io.NormalizeRecords;
import dev.tarjama.transforms.io.OutputFormat;
import dev.tarjama.transforms.io.ReadRecords;
import dev.tarjama.transforms.io.RecordFormat;
import dev.tarjama.transforms.io.WriteRunOutputs;
import dev.tarjama.transforms.judge.JudgeParallelPairs;
import dev.tarjama.transforms.judge.JudgePrompt;
import dev.tarjama.transforms.judge.ReadParallelPairs;
import dev.tarjama.transforms.judge.WriteJudgeOutputs;
import dev.tarjama.transforms.meaning.JudgeMeaning;
import dev.tarjama.transforms.quality.EstimateQuality;
import dev.tarjama.transforms.quality.QualityEstimator;
import dev.tarjama.transforms.quality.QualitySummary;
import dev.tarjama.transforms.rank.PreferencePairs;
import dev.tarjama.transforms.rank.RankCandidates;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.reassemble.Reassemble;
import dev.tarjama.transforms.score.RewardModelHandler;
import dev.tarjama.transforms.score.ScoreCandidates;
import dev.tarjama.transforms.score.ScoreRewards;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.SegmentRecords;
import dev.tarjama.transforms.segment.SpanType;
import dev.tarjama.transforms.select.SelectRecords;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.sweep.SweepThresholds;
import dev.tarjama.transforms.sweep.ThresholdGrid;
import dev.tarjama.transforms.sweep.ThresholdSweep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.display.HasDisplayData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job graph (Flink's and Dataflow's UIs, Dataflow's job spec) shows each composite's
 * configuration, and never a secret. Expected values are this test's own configuration.
 */
class DisplayDataTest {
  private static final String SECRET = "s3cret-Value";

  /** key → value of every item; an included sub-component's items under {@code path/key}. */
  private static Map<String, String> items(HasDisplayData component) {
    Map<String, String> out = new LinkedHashMap<>();
    for (DisplayData.Item item : DisplayData.from(component).items()) {
      List<String> path = item.getPath().getComponents();
      String key = path.isEmpty() ? item.getKey() : String.join("/", path) + "/" + item.getKey();
      out.put(key, String.valueOf(item.getValue()));
      assertTrue(item.getLabel() != null && !item.getLabel().isEmpty(), "label of " + key);
    }
    return out;
  }

  /** Everything a UI could show of the display data: keys, values, labels, short values. */
  private static String shown(HasDisplayData component) {
    StringBuilder s = new StringBuilder();
    for (DisplayData.Item item : DisplayData.from(component).items()) {
      s.append(item.getKey()).append('=').append(item.getValue()).append('|')
          .append(item.getShortValue()).append('|').append(item.getLabel()).append('\n');
    }
    return s.toString();
  }

  @Test
  void chunkingShowsBudgetTokenizerAndLineMode() {
    Map<String, String> d = items(
        ChunkRecords.create().withTokenBudget(300).withTokenizer("/models/tok.json").withLineMode(7));
    assertEquals("300", d.get("tokenBudget"));
    assertEquals("/models/tok.json", d.get("tokenizer"));
    assertEquals("7", d.get("linesPerChunk"));
    assertFalse(items(ChunkRecords.create()).containsKey("linesPerChunk"), "line mode off");
  }

  @Test
  void evaluationShowsSystemsAndMetricSignatures() {
    Map<String, String> d = items(EvaluateTranslations.ofSystems("reference", "opus"));
    assertEquals("reference,opus", d.get("systems"));
    assertTrue(d.get("bleu").startsWith("BLEU|"), d.get("bleu"));
    assertTrue(d.get("chrf").startsWith("chrF2"), d.get("chrf"));
    assertTrue(d.containsKey("rougeL"));
  }

  @Test
  void readLimitNormalizeAndWriteShowTheirSettings() {
    Map<String, String> read = items(ReadRecords.from("/data/in/*.jsonl").withIdField("uid"));
    assertEquals("/data/in/*.jsonl", read.get("input"));
    assertEquals("uid", read.get("idField"));
    assertEquals("25", items(LimitRecords.first(25)).get("limit"));
    Map<String, String> normalize = items(NormalizeRecords.auto()
        .withFormat(RecordFormat.FIELDS).withFieldMapping("question=user,answer=assistant")
        .withSplitField("subset"));
    assertEquals("fields", normalize.get("format"));
    assertEquals("question=user,answer=assistant", normalize.get("fieldMapping"));
    assertEquals("subset", normalize.get("splitField"));
    assertEquals("auto", items(NormalizeRecords.auto()).get("format"));
    Map<String, String> write =
        items(WriteRunOutputs.to("/out/run1").withNumShards(3).withFormat(OutputFormat.PARQUET));
    assertEquals("/out/run1", write.get("output"));
    assertEquals("parquet", write.get("format"));
    assertEquals("3", write.get("numShards"));
    Map<String, String> judged = items(WriteJudgeOutputs.to("/out/judge/").withNumShards(2));
    assertEquals("/out/judge/", judged.get("output"));
    assertEquals("2", judged.get("numShards"));
  }

  @Test
  void parallelPairsShowFormatAndFiles() {
    Map<String, String> tsv = items(ReadParallelPairs.tsv("/corpus/*.tsv"));
    assertEquals("tsv", tsv.get("format"));
    assertEquals("/corpus/*.tsv", tsv.get("input"));
    Map<String, String> moses = items(ReadParallelPairs.moses("/c/a.en", "/c/a.ar"));
    assertEquals("moses", moses.get("format"));
    assertEquals("/c/a.en", moses.get("englishFile"));
    assertEquals("/c/a.ar", moses.get("arabicFile"));
  }

  @Test
  void judgeShowsBackendPromptAndCacheButNoSecret() {
    BackendSpec backend = BackendSpec.parse(
        "name=qwen-judge,url=http://127.0.0.1:8000/v1,model=qwen3-8b,key-env=JUDGE_API_KEY");
    String cache = "redis://cache.internal:6379/2?password-env=CACHE_PASSWORD";
    JudgeParallelPairs judge = JudgeParallelPairs.using(backend)
        .withPrompt(JudgePrompt.faithful()).withCache(cache).withShuffleBuckets(8);
    Map<String, String> d = items(judge);
    assertEquals("qwen-judge", d.get("backend"));
    assertEquals("qwen3-8b", d.get("model"));
    assertEquals("http://127.0.0.1:8000/v1", d.get("url"));
    assertEquals("JUDGE_API_KEY", d.get("keyEnv"));
    assertEquals(JudgePrompt.faithful().name(), d.get("prompt"));
    assertEquals(cache, d.get("cache"));
    assertEquals("8", d.get("shuffleBuckets"));

    // JudgeMeaning shows its judge's configuration, included under "judge".
    Map<String, String> meaning = items(JudgeMeaning.using(backend).withCache(cache));
    assertEquals("qwen-judge", meaning.get("judge/backend"));
    assertEquals("qwen3-8b", meaning.get("judge/model"));
    assertEquals(cache, meaning.get("judge/cache"));
  }

  @Test
  void translationShowsBackendsCacheDedupeAndLimitButNoPassword() {
    BackendSpec a = BackendSpec.parse(
        "name=qwen,url=http://127.0.0.1:8000/v1,model=qwen3-8b,key-env=QWEN_KEY");
    BackendSpec b = BackendSpec.parse("name=gemma,url=http://127.0.0.1:8001/v1,model=gemma-3");
    // A password in the URI itself is refused when the transform is made; only its variable's name.
    String cache = "redis://cache.internal:6379/2?password-env=CACHE_PASSWORD";
    Map<String, String> d = items(TranslateChunks.with(a, b).withCache(cache)
        .withDeduplication(false).withShuffleBuckets(4)
        .withSpendingLimit(SpendingLimit.of(2.5, 0)));
    assertEquals(a.label() + "," + b.label(), d.get("backends"));
    assertEquals(cache, d.get("cache"));
    assertEquals("false", d.get("deduplicate"));
    assertEquals("4", d.get("shuffleBuckets"));
    assertTrue(d.get("spendingLimit").contains("2.5"), d.get("spendingLimit"));
    assertFalse(items(TranslateChunks.with(a)).containsKey("spendingLimit"), "no limit set");

    Map<String, String> lookup = items(CacheLookup.of(ChunkAnswers.of(a), cache));
    assertEquals(a.label(), lookup.get("backend"));
    assertEquals(cache, lookup.get("cache"));
    Map<String, String> batch =
        items(CollectBatchRequests.of(List.of(a, b), "sqlite:/tmp/c.db", "/out/_batch"));
    assertEquals("sqlite:/tmp/c.db", batch.get("cache"));
    assertEquals("/out/_batch/", batch.get("requests"));
    assertEquals("8", items(SpreadOverBuckets.of(8)).get("buckets"));
    assertEquals("/out/_summary/",
        items(dev.tarjama.transforms.io.WriteSummaryFiles.to("/out/_summary")).get("directory"));
    assertEquals("records_read", items(CountLive.as("records_read")).get("counter"));
    Map<String, String> sample = items(SampleRecords.of(3, 2, QualityPolicy.defaults()));
    assertEquals("3", sample.get("chosen"));
    assertEquals("2", sample.get("rejected"));
  }

  @Test
  void aKeyFromTheEnvironmentShowsItsNameOnly() {
    // The variable may well be set where the job is built: its value must not reach the graph.
    String variable = System.getenv().containsKey("PATH") ? "PATH" : "HOME";
    String value = System.getenv(variable);
    BackendSpec backend =
        BackendSpec.parse("name=j,url=http://127.0.0.1:8000/v1,model=m,key-env=" + variable);
    String shown = shown(JudgeParallelPairs.using(backend));
    assertTrue(shown.contains(variable), shown);
    assertFalse(value != null && value.length() > 3 && shown.contains(value), shown);
    assertTrue(shown.contains("http://127.0.0.1:8000/v1"), shown);
  }

  @Test
  void cacheUrisAreShownWithoutPasswords() {
    assertEquals("redis://cache:6379/0?password-env=PW",
        DisplayValues.withoutCredentials("redis://cache:6379/0?password-env=PW"));
    String stripped = DisplayValues.withoutCredentials(
        "redis://admin:" + SECRET + "@cache:6379/0?password=" + SECRET + "&db=1");
    assertFalse(stripped.contains(SECRET), stripped);
    assertFalse(stripped.contains("admin"), stripped);
    assertTrue(stripped.startsWith("redis://cache:6379/0?password="), stripped);
    assertTrue(stripped.endsWith("&db=1"), stripped);
    assertEquals("sqlite:/tmp/cache.db", DisplayValues.withoutCredentials("sqlite:/tmp/cache.db"));
    assertEquals("https://h/v1?api_key=***",
        DisplayValues.withoutCredentials("https://h/v1?api_key=" + SECRET));
  }

  @Test
  void qualityShowsSignalsAndGates() {
    RankingPolicy policy = RankingPolicy.parse("code:numbers=off,lines-max=1");
    Map<String, String> d =
        items(EstimateQuality.with(QualityEstimator.defaults("ar", 0.9)).withPolicy(policy.quality()));
    String signals = d.get("signals");
    for (String name : List.of("repetition", "compression", "numbers")) {
      assertTrue(List.of(signals.split(",")).contains(name), signals);
    }
    String gates = d.get("policy");
    assertTrue(gates.contains("code:numbers=off") && gates.contains("lines-max=1"), gates);
    assertEquals(gates, items(QualitySummary.under(policy.quality())).get("policy"));
    assertEquals("defaults",
        items(EstimateQuality.with(QualityEstimator.defaults("ar", 0.9))).get("policy"));
  }

  @Test
  void rankingScoringAndSweepShowThePolicyAsPolicyTakesIt() {
    String spec = "w-lr=2,min-lr=0.6,min-scr=0.8";
    RankingPolicy policy = RankingPolicy.parse(spec);
    Map<String, String> rank = items(RankCandidates.create().withPolicy(policy));
    assertEquals(RankingPolicy.parse(rank.get("policy")), policy);
    for (String entry : spec.split(",")) {
      assertTrue(rank.get("policy").contains(entry), rank.get("policy"));
    }
    assertTrue(rank.get("rankScore").startsWith("rank_score = "), rank.get("rankScore"));
    assertEquals("defaults", items(RankCandidates.create()).get("policy"));

    Map<String, String> score =
        items(ScoreCandidates.forScript("Arab").withR0(1.07).withPolicy(policy));
    assertEquals("Arab", score.get("script"));
    assertEquals("1.07", score.get("r0"));
    assertEquals(rank.get("policy"), score.get("policy"));
    assertFalse(items(ScoreCandidates.forScript("Arab")).containsKey("r0"), "r0 unset");

    assertEquals("0.2", items(PreferencePairs.create().withMinGap(0.2)).get("minGap"));

    ThresholdSweep sweep = new ThresholdSweep(policy,
        ThresholdGrid.parse("--min-lr", "0.5,0.7"), ThresholdGrid.parse("--min-scr", "0.9"));
    Map<String, String> sw = items(SweepThresholds.over(sweep));
    assertEquals(rank.get("policy"), sw.get("policy"));
    assertTrue(sw.get("minLrGrid").contains("0.5") && sw.get("minLrGrid").contains("0.7"),
        sw.get("minLrGrid"));
    assertTrue(sw.get("minScrGrid").contains("0.9"), sw.get("minScrGrid"));
  }

  @Test
  void rewardsShowTheModelBatchingAndPolicy(@TempDir Path dir) {
    RewardModelHandler handler = RewardModelHandler.of(RewardModelConfig.of(dir).withMaxTokens(1024));
    Map<String, String> d =
        items(ScoreRewards.with(handler).withShards(3).withPolicy(RankingPolicy.parse("w-reward=1")));
    assertTrue(d.get("model").contains(dir.toString()), d.get("model"));
    assertTrue(d.get("model").contains("1024"), d.get("model"));
    assertEquals("3", d.get("shards"));
    assertTrue(d.get("policy").contains("w-reward=1"), d.get("policy"));
    assertTrue(d.containsKey("maxBatchSize") && d.containsKey("maxBatchWeight"));
  }

  @Test
  void inferenceShowsHandlerModelAndBatching() {
    Map<String, String> d = items(RunInference.of(new EchoHandler())
        .withShards(4).withoutLengthBuckets().withMetricPrefix("translate/x/"));
    assertEquals(EchoHandler.class.getName(), d.get("modelHandler"));
    assertEquals("echo-model", d.get("model"));
    assertEquals("12", d.get("maxBatchSize"));
    assertEquals("345", d.get("maxBatchWeight"));
    assertEquals("250", d.get("maxBufferingMs"));
    assertEquals("4", d.get("shards"));
    assertEquals("false", d.get("lengthBuckets"));
    assertEquals("translate/x/", d.get("metricPrefix"));
  }

  @Test
  void segmentSelectReassembleAndBilingualShowTheirPolicies() {
    SegmentPolicy policy = SegmentPolicy.defaults().withTranslatedRoles("user")
        .withTranslateThink(false).withTranslatedSpanTypes(SpanType.INLINE_CODE);
    Map<String, String> seg = items(SegmentRecords.withPolicy(policy));
    assertEquals("user", seg.get("translatedRoles"));
    assertEquals("false", seg.get("translateThink"));
    assertFalse(List.of(seg.get("protectedSpans").split(",")).contains("inline_code"),
        seg.get("protectedSpans"));
    assertTrue(List.of(seg.get("protectedSpans").split(",")).contains("code_fence"),
        seg.get("protectedSpans"));

    Map<String, String> sel = items(SelectRecords.using(
        Selection.none().withSplitQuotas("gsm8k_*=25").withSeed(41)));
    assertEquals("41", sel.get("seed"));
    assertTrue(sel.get("selection").contains("gsm8k_*"), sel.get("selection"));

    Map<String, Integer> k = new LinkedHashMap<>();
    k.put("opus", 1);
    k.put("gemma", 3);
    assertEquals("opus=1,gemma=3", items(Reassemble.expecting(k)).get("candidatesPerBackend"));

    Map<String, String> bil = items(EmitBilingual.create().withTranslatorSystemPrompt("Be exact."));
    assertEquals("hala", bil.get("enToArPrompt"));
    assertEquals("Be exact.", bil.get("translatorSystemPrompt"));
    assertFalse(items(EmitBilingual.create()).containsKey("translatorSystemPrompt"));
  }

  /** A model handler with fixed, recognisable settings. */
  private static final class EchoHandler extends ModelHandler<String, String, AutoCloseable> {
    @Override
    public String modelKey() {
      return "echo-model";
    }

    @Override
    protected AutoCloseable loadModel() {
      return () -> {};
    }

    @Override
    public List<String> run(AutoCloseable model, List<String> batch) {
      return batch;
    }

    @Override
    public Coder<String> outputCoder(Pipeline pipeline) {
      return StringUtf8Coder.of();
    }

    @Override
    public Batching batching() {
      return Batching.of(12, 345, Duration.ofMillis(250));
    }
  }
}
