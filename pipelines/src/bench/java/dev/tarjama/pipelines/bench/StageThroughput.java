package dev.tarjama.pipelines.bench;

import dev.tarjama.models.tokenize.TokenCounter;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.chunk.ChunkRecords;
import dev.tarjama.transforms.chunk.Chunker;
import dev.tarjama.transforms.io.ConversationNormalizer;
import dev.tarjama.transforms.io.NormalizeRecords;
import dev.tarjama.transforms.io.ReadRecords;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.transforms.rank.RankCandidates;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.rank.RecordDecision;
import dev.tarjama.transforms.reassemble.CandidateAssembler;
import dev.tarjama.transforms.reassemble.Reassemble;
import dev.tarjama.transforms.score.ScoreCandidates;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.SegmentRecords;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Throughput of the CPU stages of the translate path (read/normalize, segment, chunk, reassemble,
 * quality estimation, score, rank) on the data kit, with the loopback translator's answers (Arabic
 * letters for Latin ones, markup kept) so that no model time is counted and the quality signals
 * see a target in the target script:
 *
 * <ol>
 *   <li>the stage code itself, one thread: MB of input records per second per core, and
 *       conversations per second, per stage and end to end;
 *   <li>the same stages through the DirectRunner (all cores of the machine).
 * </ol>
 *
 * Run: {@code mvn -q -pl pipelines -am test-compile -Dbench=StageThroughput
 * -Dbench.args="ROUNDS [TOKENIZER|native:TOKENIZER|-] [DIRECT_ROUNDS]"}
 * ({@code native:} counts through the native tokenizers library, for comparison).
 */
public final class StageThroughput {
  private static final String[] FILES = {
    "instruct/smoltalk2_style/think_tools.jsonl",
    "instruct/smoltalk2_style/gsm8k_think.jsonl",
    "instruct/llamafactory/reason_tool_use_demo_50.jsonl",
    "instruct/llamafactory/dpo_en_demo.json",
    "instruct/llamafactory/alpaca_en_demo.json",
    "instruct/bfcl/BFCL_v4_live_simple.json",
    "instruct/bfcl/BFCL_v4_multi_turn_base.json",
    "instruct/gsm8k/test.jsonl",
    "eval/math500/test.jsonl",
  };

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String tokenizer = args.length > 1 && !args[1].equals("-") ? args[1] : null;
    int directRounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path data = DataKit.data();
    List<SourceRecord> records = BackendSaturation.load(data, FILES);
    long bytes = records.stream().mapToLong(r -> r.json().getBytes(StandardCharsets.UTF_8).length).sum();
    // "native:PATH" counts through the native tokenizers library even where TokenCounters would
    // count in Java, for the two side by side.
    TokenCounter counter = tokenizer == null ? TokenCounters.approximate()
        : tokenizer.startsWith("native:")
            ? dev.tarjama.models.tokenize.HfTokenCounter.load(Path.of(tokenizer.substring(7)))
            : TokenCounters.acquire(tokenizer);
    System.out.printf(Locale.ROOT, "%d records, %.2f MB of records; tokens counted by %s; %d cores%n",
        records.size(), bytes / 1e6, tokenizer == null ? "the bytes/4 estimate" : tokenizer,
        Runtime.getRuntime().availableProcessors());

    StageCode stages = new StageCode(counter);
    for (int round = 0; round < rounds; round++) {
      stages.reset();
      stages.run(records);
      System.out.println((round == 0 ? "warm-up  " : "round " + round + "  ") + stages.line(bytes, records.size()));
    }

    for (int round = 0; round < directRounds; round++) {
      double seconds = directRunner(data, tokenizer == null ? null : tokenizer.replaceFirst("^native:", ""));
      System.out.printf(Locale.ROOT,
          "DirectRunner round %d: %.2f s, %.2f MB/s, %.0f conversations/s (whole machine)%n",
          round, seconds, bytes / 1e6 / seconds, records.size() / seconds);
    }
  }

  private static final org.apache.beam.sdk.coders.Coder<Candidate> CANDIDATE_CODER =
      new dev.tarjama.transforms.domain.ModelCoders.CandidateCoder();

  static List<Candidate> copies(List<Candidate> candidates) {
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : candidates) {
      try {
        out.add(org.apache.beam.sdk.util.CoderUtils.clone(CANDIDATE_CODER, c));
      } catch (org.apache.beam.sdk.coders.CoderException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** The plain stage classes, called in a loop on one thread; nanoseconds per stage. */
  static final class StageCode {
    final ConversationNormalizer normalizer = new ConversationNormalizer(null, null, "source");
    final dev.tarjama.transforms.segment.Segmenter segmenter =
        new dev.tarjama.transforms.segment.Segmenter(SegmentPolicy.defaults());
    final Chunker chunker;
    final ScoreCandidates scorer =
        ScoreCandidates.forScript("Arab").withR0(0.8166).withPolicy(RankingPolicy.defaults());
    final dev.tarjama.transforms.quality.QualityEstimator quality =
        dev.tarjama.transforms.quality.QualityEstimator.defaults("ar", 0.8166);
    final long[] nanos = new long[6];
    /** Nanoseconds per quality signal, measured apart from the stage (the same calls again). */
    final Map<String, Long> signalNanos = new java.util.TreeMap<>();
    static final String[] NAMES = {"normalize", "segment", "chunk", "reassemble", "quality", "score+rank"};

    StageCode(TokenCounter counter) {
      chunker = Chunker.bySentences(counter, Chunker.DEFAULT_TOKEN_BUDGET);
    }

    void reset() {
      java.util.Arrays.fill(nanos, 0);
      signalNanos.clear();
    }

    void run(List<SourceRecord> records) {
      for (SourceRecord record : records) {
        long t0 = System.nanoTime();
        Conversation conversation = normalizer.normalize(record).conversation;
        long t1 = System.nanoTime();
        nanos[0] += t1 - t0;
        if (conversation == null) {
          continue;
        }
        List<FieldSegments> fields = new ArrayList<>();
        for (int i = 0; i < conversation.fields().size(); i++) {
          TextField field = conversation.fields().get(i);
          fields.add(new FieldSegments(i, segmenter.segment(field)));
        }
        SegmentedRecord segmented = new SegmentedRecord(conversation, fields);
        long t2 = System.nanoTime();
        nanos[1] += t2 - t1;
        RecordPlan plan = chunker.plan(segmented);
        long t3 = System.nanoTime();
        nanos[2] += t3 - t2;
        List<Candidate> candidates = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
          List<ChunkTranslation> translations = new ArrayList<>();
          for (Chunk chunk : plan.chunks()) {
            String target = TranslatorAnswers.translate(chunk.text(), k);
            translations.add(ChunkTranslation.success(chunk, "loopback", k, target, chunk.tokens(), chunk.tokens()));
          }
          candidates.add(CandidateAssembler.assemble(plan, "loopback", k, translations));
        }
        nanos[3] += System.nanoTime() - t3;
        // In the pipeline each candidate comes out of Reassemble's grouping with its own copy of
        // the record (nothing shared between candidates): cloned here, outside the timings.
        candidates = copies(candidates);
        long t4 = System.nanoTime();
        List<Candidate> estimated = new ArrayList<>();
        for (Candidate c : candidates) {
          estimated.add(quality.estimate(c));
        }
        long t5 = System.nanoTime();
        nanos[4] += t5 - t4;
        List<Candidate> scored = new ArrayList<>();
        for (Candidate c : estimated) {
          scored.add(scorer.score(c));
        }
        RecordDecision.decide(conversation.recordId(), scored, scorer.policy());
        nanos[5] += System.nanoTime() - t5;
        for (Candidate c : candidates) {
          if (!c.valid()) {
            continue;
          }
          var input = new dev.tarjama.transforms.quality.QualityInput(c.split(), c.sourceText(), c.targetText());
          for (var signal : quality.signals()) {
            long s0 = System.nanoTime();
            try {
              signal.measure(input);
            } catch (RuntimeException e) {
              // counted as QualityEstimator counts it: a not-judged measure
            }
            signalNanos.merge(signal.name(), System.nanoTime() - s0, Long::sum);
          }
        }
      }
    }

    String line(long bytes, int records) {
      long total = 0;
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < nanos.length; i++) {
        total += nanos[i];
        s.append(String.format(Locale.ROOT, "%s %.1f MB/s; ", NAMES[i], bytes / 1e6 / (nanos[i] / 1e9)));
      }
      StringBuilder signals = new StringBuilder("\n    quality signals, MB of records/s:");
      signalNanos.forEach((name, n) -> signals.append(
          String.format(Locale.ROOT, " %s %.1f;", name, bytes / 1e6 / (n / 1e9))));
      long toChunks = nanos[0] + nanos[1] + nanos[2];
      return String.format(Locale.ROOT,
          "read→chunk %.2f MB/s per core (floor 5); all stages %.2f MB/s per core,"
              + " %.0f conversations/s | %s%s",
          bytes / 1e6 / (toChunks / 1e9), bytes / 1e6 / (total / 1e9), records / (total / 1e9), s,
          signals);
    }
  }

  /** The same stages through the DirectRunner, the loopback answers and quality estimation, nothing written. */
  static double directRunner(Path data, String tokenizer) {
    // As `tarjama translate` runs it: the immutability check walks the graph for every bundle.
    org.apache.beam.runners.direct.DirectOptions options =
        PipelineOptionsFactory.create().as(org.apache.beam.runners.direct.DirectOptions.class);
    options.setEnforceImmutability(false);
    Pipeline p = Pipeline.create(options);
    // The stage-code half's files, each under its own folder's name (gsm8k/test.jsonl and
    // math500/test.jsonl would otherwise give their records the same ids), read by one glob.
    Path input;
    try {
      input = Files.createTempDirectory("tarjama-stages");
      for (String file : FILES) {
        Path source = data.resolve(file);
        Path dir = Files.createDirectories(input.resolve(source.getParent().getFileName()));
        Files.copy(source, dir.resolve(source.getFileName()));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    PCollection<SourceRecord> records =
        p.apply(ReadRecords.from(input + "/*/*")).get(ReadRecords.RECORDS);
    PCollectionTuple conversations = records.apply(NormalizeRecords.auto());
    PCollectionTuple segmented =
        conversations.get(NormalizeRecords.CONVERSATIONS).apply(SegmentRecords.create());
    ChunkRecords chunk = ChunkRecords.create();
    if (tokenizer != null) {
      chunk = chunk.withTokenizer(tokenizer);
    }
    PCollectionTuple chunked = segmented.get(SegmentRecords.SEGMENTED).apply(chunk);
    PCollection<ChunkTranslation> translations =
        chunked.get(ChunkRecords.CHUNKS).apply("LoopbackTranslate", ParDo.of(new LoopbackTranslate()));
    PCollection<Candidate> candidates =
        PCollectionTuple.of(Reassemble.PLANS, chunked.get(ChunkRecords.PLANS))
            .and(Reassemble.TRANSLATIONS, translations)
            .apply(Reassemble.expecting(Map.of("loopback", 2)))
            .apply(dev.tarjama.transforms.quality.EstimateQuality.with(
                    dev.tarjama.transforms.quality.QualityEstimator.defaults("ar", 0.8166))
                .withPolicy(RankingPolicy.defaults().quality()))
            .apply(ScoreCandidates.forScript("Arab").withR0(0.8166).withPolicy(RankingPolicy.defaults()));
    PCollectionTuple ranked = candidates.apply(RankCandidates.create());
    ranked.get(RankCandidates.CHOSEN).apply("Count", ParDo.of(new CountChosen()));
    long start = System.nanoTime();
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return (System.nanoTime() - start) / 1e9;
  }

  /** The stage-code half's answers: the loopback translator's, two candidates per chunk. */
  static final class LoopbackTranslate extends DoFn<Chunk, ChunkTranslation> {
    @ProcessElement
    public void process(@Element Chunk chunk, OutputReceiver<ChunkTranslation> out) {
      for (int k = 0; k < 2; k++) {
        String target = TranslatorAnswers.translate(chunk.text(), k);
        out.output(ChunkTranslation.success(chunk, "loopback", k, target, chunk.tokens(), chunk.tokens()));
      }
    }
  }

  static final class CountChosen extends DoFn<dev.tarjama.transforms.rank.RankedRecord, Void> {
    private final Counter chosen = Metrics.counter("bench", "chosen");

    @ProcessElement
    public void process() {
      chosen.inc();
    }
  }
}
