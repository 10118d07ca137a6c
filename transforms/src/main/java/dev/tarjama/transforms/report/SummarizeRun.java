package dev.tarjama.transforms.report;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.select.SelectionOutcome;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Computes the figures of the run report inside the pipeline, so they are exact on every runner
 * (Beam metrics are not guaranteed to be committed everywhere): record counts per outcome, per
 * split means of LR, SCR and rank_score of the chosen records, and per backend candidates, valid
 * candidates, wins and tokens, and per split and backend bounded histograms of the valid
 * candidates' scores ({@link Distributions}).
 *
 * <p>Input: a tuple of {@link #READ} (the records read), {@link #DEAD_LETTERS}, {@link #CANDIDATES}, {@link #CHOSEN} (the winning candidates)
 * and {@link #REJECTED} (the split of each rejected record), the last three optional, and
 * optionally {@link #SELECTION}, {@link #CHUNKS} and {@link #DUPLICATE_CHUNKS}. Output: a single
 * JSON object mapping
 * statistic names to sums; {@link RunStatistics} reads it back.
 */
public final class SummarizeRun extends PTransform<PCollectionTuple, PCollection<String>> {
  public static final TupleTag<SourceRecord> READ = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<Candidate> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<String> REJECTED = new TupleTag<>() {};
  /**
   * Optional: source selection's outcome for every normalized record (SelectRecords.OUTCOMES):
   * not-selected counts by reason, and available / selected counts per split and stratum.
   */
  public static final TupleTag<SelectionOutcome> SELECTION = new TupleTag<>() {};
  /** Optional: the chunks of the run, for token and call estimates (used by --dry-run). */
  public static final TupleTag<Chunk> CHUNKS = new TupleTag<>() {};
  /** Optional: the chunks not sent because an identical chunk was (the duplicate share). */
  public static final TupleTag<Chunk> DUPLICATE_CHUNKS = new TupleTag<>() {};

  private SummarizeRun() {}

  public static SummarizeRun create() {
    return new SummarizeRun();
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    KvCoder<String, Double> coder = KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of());
    PCollection<KV<String, Double>> read =
        input
            .get(READ)
            .apply("ReadEvents", ParDo.of(new ReadEvents()))
            .setCoder(coder);
    PCollection<KV<String, Double>> dead =
        input.get(DEAD_LETTERS).apply("DeadLetterEvents", ParDo.of(new DeadLetterEvents()))
            .setCoder(coder);
    PCollectionList<KV<String, Double>> events =
        PCollectionList.of(read).and(dead)
            .and(input.get(READ).apply("SharedIds", SharedIds.create()));
    if (input.has(CANDIDATES)) {
      events =
          events.and(
              input.get(CANDIDATES).apply("CandidateEvents", ParDo.of(new CandidateEvents()))
                  .setCoder(coder));
    }
    if (input.has(CHOSEN)) {
      events =
          events.and(
              input.get(CHOSEN).apply("ChosenEvents", ParDo.of(new ChosenEvents()))
                  .setCoder(coder));
    }
    if (input.has(REJECTED)) {
      events =
          events.and(
              input
                  .get(REJECTED)
                  .apply(
                      "RejectedEvents", ParDo.of(new RejectedEvents()))
                  .setCoder(coder));
    }
    if (input.has(SELECTION)) {
      events =
          events.and(
              input.get(SELECTION).apply("SelectionEvents", ParDo.of(new SelectionEvents()))
                  .setCoder(coder));
    }
    if (input.has(CHUNKS)) {
      events =
          events.and(
              input.get(CHUNKS).apply("ChunkEvents", ParDo.of(new ChunkEvents())).setCoder(coder));
    }
    if (input.has(DUPLICATE_CHUNKS)) {
      events =
          events.and(
              input
                  .get(DUPLICATE_CHUNKS)
                  .apply("DuplicateEvents", ParDo.of(new DuplicateEvents()))
                  .setCoder(coder));
    }
    return events
        .apply("AllEvents", Flatten.pCollections())
        .apply("SumPerStatistic", Sum.doublesPerKey())
        .apply("OneSummary", Combine.globally(SumToJson.ofDoubles()).withoutDefaults())
        .setCoder(StringUtf8Coder.of());
  }

  /** A run's statistics from one kind of element: events of a few keys, summed as doubles. */
  private abstract static class Events<InputT> extends SumsPerBundle<InputT, Double> {
    Events() {
      super(Double::sum);
    }
  }

  private static final class ReadEvents extends Events<SourceRecord> {
    @Override
    protected void events(SourceRecord r, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.READ, 1.0);
    }
  }

  /** A rejected record's split. */
  private static final class RejectedEvents extends Events<String> {
    @Override
    protected void events(String split, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.key("split", split, "rejected"), 1.0);
    }
  }

  private static final class DeadLetterEvents extends Events<DeadLetter> {
    @Override
    protected void events(DeadLetter d, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.DEAD_LETTER, 1.0);
      out.accept(RunStatistics.key("dead_letter", d.stage(), "count"), 1.0);
      if (d.stage().equals("read")) {
        out.accept(RunStatistics.READ_FAILED, 1.0);
      }
      if (d.truncatedPayload()) {
        out.accept(RunStatistics.TRUNCATED_PAYLOADS, 1.0);
      }
    }
  }

  private static final class CandidateEvents extends Events<Candidate> {
    @Override
    protected void events(Candidate c, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.key("backend", c.backend(), "candidates"), 1.0);
      out.accept(RunStatistics.key("backend", c.backend(), "valid"), c.valid() ? 1.0 : 0.0);
      out.accept(RunStatistics.key("backend", c.backend(), "tokens_in"), (double) c.tokensIn());
      out.accept(RunStatistics.key("backend", c.backend(), "tokens_out"), (double) c.tokensOut());
      // Bounded histograms for the HTML report's distributions (a few counts per split and backend).
      for (KV<String, Double> e : Distributions.events(c)) {
        out.accept(e.getKey(), e.getValue());
      }
    }
  }

  private static final class SelectionEvents extends Events<SelectionOutcome> {
    @Override
    protected void events(SelectionOutcome o, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.key("selection_split", o.split(), "input"), 1.0);
      if (o.selected()) {
        out.accept(RunStatistics.key("selection_split", o.split(), "selected"), 1.0);
      } else {
        out.accept(RunStatistics.NOT_SELECTED, 1.0);
        out.accept(RunStatistics.key("not_selected", o.reason(), "count"), 1.0);
      }
      // Available to a stratum: past the filters and the split quotas.
      if (o.selected() || o.reason().equals(Selection.QUOTA)) {
        out.accept(RunStatistics.key("selection_stratum", o.stratum(), "available"), 1.0);
        if (o.selected()) {
          out.accept(RunStatistics.key("selection_stratum", o.stratum(), "selected"), 1.0);
        }
      }
    }
  }

  private static final class ChunkEvents extends Events<Chunk> {
    @Override
    protected void events(Chunk c, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.CHUNKS, 1.0);
      out.accept(RunStatistics.CHUNK_TOKENS, (double) c.tokens());
      out.accept(RunStatistics.key("split", c.split(), "chunks"), 1.0);
      out.accept(RunStatistics.key("split", c.split(), "chunk_tokens"), (double) c.tokens());
    }
  }

  private static final class DuplicateEvents extends Events<Chunk> {
    @Override
    protected void events(Chunk c, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.DUPLICATE_CHUNKS, 1.0);
      out.accept(RunStatistics.DUPLICATE_CHUNK_TOKENS, (double) c.tokens());
    }
  }

  private static final class ChosenEvents extends Events<Candidate> {
    @Override
    protected void events(Candidate c, BiConsumer<String, Double> out) {
      out.accept(RunStatistics.key("backend", c.backend(), "wins"), 1.0);
      out.accept(RunStatistics.key("split", c.split(), "chosen"), 1.0);
      out.accept(RunStatistics.key("split", c.split(), "lr_sum"), finite(c.lr()));
      out.accept(RunStatistics.key("split", c.split(), "scr_sum"), finite(c.scr()));
      out.accept(RunStatistics.key("split", c.split(), "rank_score_sum"), finite(c.rankScore()));
      if (!Double.isNaN(c.reward())) {
        out.accept(RunStatistics.key("split", c.split(), "reward_sum"), c.reward());
      }
    }

    private static double finite(double v) {
      return Double.isNaN(v) ? 0.0 : v;
    }
  }
}
