package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Conversation;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
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
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Preference pairs: per record, its best vs its worst valid candidate by rank_score when the gap
 * exceeds a minimum ({@link PreferencePair#of}). Written as TRL's conversational preference format
 * by {@code WriteRunOutputs} ({@code OutputRecords.preference}), with the full messages of the
 * record and of the two translations.
 *
 * <p>Input: a tuple of {@link #CANDIDATES} (scored candidates of every record, final rank_scores:
 * after {@code ScoreRewards} when there is a reward model) and {@link #SOURCES} (the records they
 * translate). CoGroupByKey on the record id (String key, {@link StringUtf8Coder}; unique per
 * record, see {@code RecordKey}); each group's values are iterated once. Output: at most one
 * {@link PreferencePair} per record. Failure modes: none per element.
 *
 * <p>Counters ({@code tarjama}): {@code preferences.pairs}, {@code preferences.too_close} (records
 * with two valid candidates or more whose gap is at most the minimum, or whose texts are equal).
 */
public final class PreferencePairs extends PTransform<PCollectionTuple, PCollection<PreferencePair>> {
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<Conversation> SOURCES = new TupleTag<>() {};

  /** The default minimum rank_score gap. */
  public static final double DEFAULT_MIN_GAP = 0.05;

  private final double minGap;

  private PreferencePairs(double minGap) {
    if (!(minGap >= 0) || Double.isInfinite(minGap)) {
      throw new IllegalArgumentException("the minimum preference gap must be >= 0, got " + minGap);
    }
    this.minGap = minGap;
  }

  /** Pairs whose rank_scores differ by more than {@value #DEFAULT_MIN_GAP}. */
  public static PreferencePairs create() {
    return new PreferencePairs(DEFAULT_MIN_GAP);
  }

  /** Pairs whose rank_scores differ by more than {@code gap} (>= 0). */
  public PreferencePairs withMinGap(double gap) {
    return new PreferencePairs(gap);
  }

  public double minGap() {
    return minGap;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("minGap", minGap).withLabel("Smallest rank_score gap of a pair"));
  }

  @Override
  public PCollection<PreferencePair> expand(PCollectionTuple input) {
    PCollection<Candidate> candidates = input.get(CANDIDATES);
    PCollection<Conversation> sources = input.get(SOURCES);
    PCollection<KV<String, Candidate>> byRecord =
        candidates
            .apply("KeyCandidatesByRecord",
                WithKeys.of((Candidate c) -> c.recordId()).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), candidates.getCoder()));
    PCollection<KV<String, Conversation>> sourceByRecord =
        sources
            .apply("KeySourcesByRecord",
                WithKeys.of((Conversation c) -> c.recordId()).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), sources.getCoder()));
    return KeyedPCollectionTuple.of(CANDIDATES, byRecord)
        .and(SOURCES, sourceByRecord)
        .apply("GroupByRecord", CoGroupByKey.create())
        .apply("BestVersusWorst", ParDo.of(new PairFn(minGap)))
        .setCoder(new PreferencePair.Coder());
  }

  private static final class PairFn extends DoFn<KV<String, CoGbkResult>, PreferencePair> {
    private final double minGap;
    private final Counter pairs = Metrics.counter("tarjama", "preferences.pairs");
    private final Counter tooClose = Metrics.counter("tarjama", "preferences.too_close");

    PairFn(double minGap) {
      this.minGap = minGap;
    }

    @ProcessElement
    public void process(
        @Element KV<String, CoGbkResult> record, OutputReceiver<PreferencePair> out) {
      Conversation source = record.getValue().getOnly(SOURCES, null);
      if (source == null) {
        return; // not a record of this run: nothing to pair
      }
      List<Candidate> pool = new ArrayList<>();
      record.getValue().getAll(CANDIDATES).forEach(pool::add);
      var pair = PreferencePair.of(source, pool, minGap);
      if (pair.isPresent()) {
        pairs.inc();
        out.output(pair.get());
        return;
      }
      long valid = pool.stream().filter(c -> c.valid() && !Double.isNaN(c.rankScore())).count();
      if (valid >= 2) {
        tooClose.inc();
      }
    }
  }
}
