package dev.tarjama.transforms.evaluate;

import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Scores systems' translations against references: corpus BLEU, chrF++ and ROUGE-L F1 per system
 * ({@link Bleu#sacreBleu()}, {@link ChrF#chrFPlusPlus()}, {@link RougeL#unicode()} unless
 * configured otherwise).
 *
 * <p>Input, a {@link PCollectionTuple}: {@link #SEGMENTS}, the evaluation set ({@link
 * EvaluationSegment}s, one per index), and {@link #OUTPUTS}, what each system produced ({@link
 * SystemOutput}s, one per system and index). Both are keyed by segment index and joined; each
 * (system, segment) gives its sufficient statistics (BLEU and chrF n-gram counts, ROUGE-L F1),
 * which are summed per system by a combiner, so the work spreads over workers like the rest of
 * the pipeline and the result equals sacreBLEU's corpus scores on the same files.
 *
 * <p>Outputs:
 *
 * <ul>
 *   <li>{@link #SCORES}: one {@link SystemScores} per system that has any segment.
 *   <li>{@link #DEAD_LETTERS}: {@link DeadLetter}s (stage {@code evaluate}, record id {@code
 *       segment N} with N = index + 1, field {@code /SYSTEM}) for: an output that carries an error
 *       (the system failed on that segment), a segment a configured system has no output for,
 *       each of several outputs of one system for one segment, an output of a system not
 *       configured, an output whose segment is not in the set, a segment index given twice (the
 *       first is used). The first three are still scored, as empty hypotheses, and counted in
 *       {@link SystemScores#failed()}: a system never gains by failing.
 * </ul>
 *
 * <p>Metrics (namespace {@code tarjama}): {@code evaluate/segments_scored}, {@code
 * evaluate/failed_segments}.
 */
public final class EvaluateTranslations extends PTransform<PCollectionTuple, PCollectionTuple> {

  /** Input: the evaluation set. */
  public static final TupleTag<EvaluationSegment> SEGMENTS = new TupleTag<>() {};

  /** Input: the systems' outputs. */
  public static final TupleTag<SystemOutput> OUTPUTS = new TupleTag<>() {};

  /** Output: corpus scores per system. */
  public static final TupleTag<SystemScores> SCORES = new TupleTag<>() {};

  /** Output: segments that could not be scored as given (see the class javadoc). */
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  static final String STAGE = "evaluate";

  private static final TupleTag<KV<String, EvaluationStatistics>> STATISTICS =
      new TupleTag<>() {};

  private final List<String> systems;
  private final Bleu bleu;
  private final ChrF chrf;
  private final RougeL rouge;

  private EvaluateTranslations(List<String> systems, Bleu bleu, ChrF chrf, RougeL rouge) {
    this.systems = systems;
    this.bleu = bleu;
    this.chrf = chrf;
    this.rouge = rouge;
  }

  /**
   * Scores these systems (names as in {@link SystemOutput#system}); every one of them is expected
   * to have an output for every segment.
   */
  public static EvaluateTranslations ofSystems(List<String> systems) {
    if (systems.isEmpty()) {
      throw new IllegalArgumentException("at least one system is needed to evaluate");
    }
    Set<String> unique = new LinkedHashSet<>(systems);
    if (unique.size() != systems.size()) {
      throw new IllegalArgumentException("a system is named twice: " + systems);
    }
    return new EvaluateTranslations(
        List.copyOf(systems), Bleu.sacreBleu(), ChrF.chrFPlusPlus(), RougeL.unicode());
  }

  public static EvaluateTranslations ofSystems(String... systems) {
    return ofSystems(List.of(systems));
  }

  public EvaluateTranslations withBleu(Bleu bleu) {
    return new EvaluateTranslations(systems, bleu, chrf, rouge);
  }

  public EvaluateTranslations withChrF(ChrF chrf) {
    return new EvaluateTranslations(systems, bleu, chrf, rouge);
  }

  public EvaluateTranslations withRougeL(RougeL rouge) {
    return new EvaluateTranslations(systems, bleu, chrf, rouge);
  }

  public List<String> systems() {
    return systems;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("systems", String.join(",", systems)).withLabel("Systems"));
    builder.add(DisplayData.item("bleu", "BLEU|" + bleu.signature("var")).withLabel("BLEU"));
    builder.add(DisplayData.item("chrf", chrf.name() + "|" + chrf.signature("var"))
        .withLabel("chrF"));
    builder.add(DisplayData.item("rougeL", rouge.signature("var")).withLabel("ROUGE-L"));
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    PCollection<KV<Long, EvaluationSegment>> segments =
        input
            .get(SEGMENTS)
            .apply("KeySegments",
                WithKeys.<Long, EvaluationSegment>of(s -> s.index())
                    .withKeyType(TypeDescriptors.longs()))
            .setCoder(KvCoder.of(VarLongCoder.of(), new EvaluationCoders.SegmentCoder()));
    PCollection<KV<Long, SystemOutput>> outputs =
        input
            .get(OUTPUTS)
            .apply("KeyOutputs",
                WithKeys.<Long, SystemOutput>of(o -> o.index()).withKeyType(TypeDescriptors.longs()))
            .setCoder(KvCoder.of(VarLongCoder.of(), new EvaluationCoders.SystemOutputCoder()));

    TupleTag<EvaluationSegment> segmentTag = new TupleTag<>();
    TupleTag<SystemOutput> outputTag = new TupleTag<>();
    PCollectionTuple scored =
        KeyedPCollectionTuple.of(segmentTag, segments)
            .and(outputTag, outputs)
            .apply("JoinBySegment", CoGroupByKey.create())
            .apply(
                "ScoreSegments",
                ParDo.of(new ScoreSegmentsFn(systems, bleu, chrf, rouge, segmentTag, outputTag))
                    .withOutputTags(STATISTICS, TupleTagList.of(DEAD_LETTERS)));

    Coder<EvaluationStatistics> statisticsCoder = new EvaluationCoders.StatisticsCoder();
    PCollection<SystemScores> scores =
        scored
            .get(STATISTICS)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), statisticsCoder))
            .apply("SumPerSystem", Combine.perKey(new SumStatisticsFn(bleu, chrf)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), statisticsCoder))
            .apply("CorpusScores", ParDo.of(new CorpusScoresFn(bleu, chrf, rouge)))
            .setCoder(new EvaluationCoders.ScoresCoder());
    return PCollectionTuple.of(SCORES, scores)
        .and(DEAD_LETTERS, scored.get(DEAD_LETTERS));
  }

  /**
   * The source segments as the chunks a translator backend is asked (one per segment, keyed by
   * {@link #recordId}), each counted as its UTF-8 bytes / 4 tokens (at least 1): evaluation
   * reads no tokenizer.
   */
  public static List<Chunk> sourceChunks(List<String> sources) {
    List<Chunk> chunks = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      String text = sources.get(i);
      int tokens = Math.max(1, text.getBytes(StandardCharsets.UTF_8).length / 4);
      chunks.add(new Chunk(recordId(i), "eval", 0, 0, text, List.of(), List.of(), tokens));
    }
    return chunks;
  }

  /** Segment N's record id in dead letters (N counts from 1, as file lines do). */
  public static String recordId(long index) {
    return "segment " + (index + 1);
  }

  private static final class ScoreSegmentsFn
      extends DoFn<KV<Long, CoGbkResult>, KV<String, EvaluationStatistics>> {
    private final List<String> systems;
    private final Bleu bleu;
    private final ChrF chrf;
    private final RougeL rouge;
    private final TupleTag<EvaluationSegment> segmentTag;
    private final TupleTag<SystemOutput> outputTag;
    private final Counter scoredSegments = Metrics.counter("tarjama", "evaluate/segments_scored");
    private final Counter failedSegments = Metrics.counter("tarjama", "evaluate/failed_segments");

    ScoreSegmentsFn(
        List<String> systems,
        Bleu bleu,
        ChrF chrf,
        RougeL rouge,
        TupleTag<EvaluationSegment> segmentTag,
        TupleTag<SystemOutput> outputTag) {
      this.systems = systems;
      this.bleu = bleu;
      this.chrf = chrf;
      this.rouge = rouge;
      this.segmentTag = segmentTag;
      this.outputTag = outputTag;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> joined, MultiOutputReceiver out) {
      long index = joined.getKey();
      String id = recordId(index);
      List<EvaluationSegment> segments = new ArrayList<>();
      joined.getValue().getAll(segmentTag).forEach(segments::add);
      Map<String, List<SystemOutput>> bySystem = new HashMap<>();
      for (SystemOutput output : joined.getValue().getAll(outputTag)) {
        String field = JsonPointers.child("", output.system());
        if (segments.isEmpty()) {
          out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, field,
              "system " + output.system() + " has an output for segment " + (index + 1)
                  + ", which is not in the evaluation set", output.hypothesis()));
        } else if (!systems.contains(output.system())) {
          out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, field,
              "output of system " + output.system() + ", which is not among the evaluated systems "
                  + systems, output.hypothesis()));
        } else {
          bySystem.computeIfAbsent(output.system(), k -> new ArrayList<>()).add(output);
        }
      }
      if (segments.isEmpty()) {
        return;
      }
      EvaluationSegment segment = segments.get(0);
      for (int i = 1; i < segments.size(); i++) {
        out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, "",
            "segment " + (index + 1) + " is given twice; the first is used",
            segments.get(i).source()));
      }
      for (String system : systems) {
        List<SystemOutput> given = bySystem.getOrDefault(system, List.of());
        String hypothesis = "";
        boolean failed = true;
        String field = JsonPointers.child("", system);
        if (given.isEmpty()) {
          out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, field,
              "system " + system + " has no output for segment " + (index + 1)
                  + "; scored as an empty hypothesis", segment.source()));
        } else if (given.size() > 1) {
          // Which one came first is up to the runner: scoring none keeps the result deterministic.
          for (SystemOutput output : given) {
            out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, field,
                "system " + system + " has " + given.size() + " outputs for segment "
                    + (index + 1) + "; none is scored (an empty hypothesis is)",
                output.hypothesis()));
          }
        } else if (given.get(0).failed()) {
          out.get(DEAD_LETTERS).output(DeadLetter.of(id, STAGE, field,
              "system " + system + " failed on segment " + (index + 1)
                  + " (scored as an empty hypothesis): " + given.get(0).error(), segment.source()));
        } else {
          hypothesis = given.get(0).hypothesis();
          failed = false;
        }
        if (failed) {
          failedSegments.inc();
        }
        scoredSegments.inc();
        out.get(STATISTICS).output(KV.of(system,
            EvaluationStatistics.ofSegment(bleu, chrf, rouge, hypothesis, segment.references(),
                failed)));
      }
    }
  }

  /** Sums per-segment statistics into one per system. */
  static final class SumStatisticsFn
      extends Combine.CombineFn<EvaluationStatistics, EvaluationStatistics, EvaluationStatistics> {
    private final Bleu bleu;
    private final ChrF chrf;

    SumStatisticsFn(Bleu bleu, ChrF chrf) {
      this.bleu = bleu;
      this.chrf = chrf;
    }

    @Override
    public EvaluationStatistics createAccumulator() {
      return EvaluationStatistics.empty(bleu, chrf);
    }

    @Override
    public EvaluationStatistics addInput(EvaluationStatistics sum, EvaluationStatistics segment) {
      return sum.add(segment);
    }

    @Override
    public EvaluationStatistics mergeAccumulators(Iterable<EvaluationStatistics> sums) {
      EvaluationStatistics total = createAccumulator();
      for (EvaluationStatistics s : sums) {
        total.add(s);
      }
      return total;
    }

    @Override
    public EvaluationStatistics extractOutput(EvaluationStatistics sum) {
      return sum;
    }

    @Override
    public Coder<EvaluationStatistics> getAccumulatorCoder(
        CoderRegistry registry, Coder<EvaluationStatistics> inputCoder)
        throws CannotProvideCoderException {
      return new EvaluationCoders.StatisticsCoder();
    }

    @Override
    public Coder<EvaluationStatistics> getDefaultOutputCoder(
        CoderRegistry registry, Coder<EvaluationStatistics> inputCoder)
        throws CannotProvideCoderException {
      return new EvaluationCoders.StatisticsCoder();
    }
  }

  private static final class CorpusScoresFn
      extends DoFn<KV<String, EvaluationStatistics>, SystemScores> {
    private final Bleu bleu;
    private final ChrF chrf;
    private final RougeL rouge;

    CorpusScoresFn(Bleu bleu, ChrF chrf, RougeL rouge) {
      this.bleu = bleu;
      this.chrf = chrf;
      this.rouge = rouge;
    }

    @ProcessElement
    public void process(@Element KV<String, EvaluationStatistics> sum,
        OutputReceiver<SystemScores> out) {
      out.output(SystemScores.of(sum.getKey(), sum.getValue(), bleu, chrf, rouge));
    }
  }
}
