package dev.tarjama.transforms.sweep;

import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.io.CandidateLines;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.report.SumToJson;
import dev.tarjama.transforms.report.SumsPerBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Sweep: how many records a finished run would have kept under each (min-lr, min-scr) pair, from
 * its {@code candidates/} alone (no translation). GroupByKey on the record id, then {@link
 * ThresholdSweep} per record; counts are summed per split and pair.
 *
 * <p>Input: the lines of a run's {@code candidates/} (JSON, as {@code OutputRecords.candidate}
 * writes them).
 *
 * <p>Outputs ({@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #SUMMARY}: one JSON object of sums, read back by {@link SweepTable#parse}: {@code
 *       records\tSPLIT} (records translated: chosen or rejected under the run's policy), {@code
 *       untranslated\tSPLIT} (every candidate failed to translate), {@code run_chosen\tSPLIT}
 *       (chosen under the run's own policy) and {@code chosen\tSPLIT\tI\tJ} (chosen at min-lr grid
 *       value I and min-scr grid value J).
 *   <li>{@link #DEAD_LETTERS}: a line that is not a candidate (stage {@code sweep}, the field it
 *       lacks, the line itself); the sweep goes on without it.
 * </ul>
 */
public final class SweepThresholds extends PTransform<PCollection<String>, PCollectionTuple> {
  public static final TupleTag<String> SUMMARY = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private static final TupleTag<KV<String, Candidate>> PARSED = new TupleTag<>() {};

  private final ThresholdSweep sweep;

  private SweepThresholds(ThresholdSweep sweep) {
    this.sweep = Objects.requireNonNull(sweep);
  }

  public static SweepThresholds over(ThresholdSweep sweep) {
    return new SweepThresholds(sweep);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    display(builder, sweep);
  }

  private static void display(DisplayData.Builder builder, ThresholdSweep sweep) {
    builder.add(DisplayData.item("minLrGrid", sweep.minLr().toString()).withLabel("min-lr values"));
    builder.add(DisplayData.item("minScrGrid", sweep.minScr().toString())
        .withLabel("min-scr values"));
    DisplayValues.rankingPolicy(builder, sweep.runPolicy());
  }

  @Override
  public PCollectionTuple expand(PCollection<String> lines) {
    PCollectionTuple parsed =
        lines.apply("ParseCandidates",
            ParDo.of(new ParseFn()).withOutputTags(PARSED, TupleTagList.of(DEAD_LETTERS)));
    parsed.get(DEAD_LETTERS).setCoder(new ModelCoders.DeadLetterCoder());
    PCollection<String> summary = summarize(parsed.get(PARSED), sweep);
    return PCollectionTuple.of(SUMMARY, summary).and(DEAD_LETTERS, parsed.get(DEAD_LETTERS));
  }

  /**
   * The same sweep over a run's own candidates, before they are written: each one as {@link
   * CandidateLines#parse} would read back its {@code candidates/} line ({@link
   * CandidateLines#withoutRecord}), so the summary is the one {@link #over} makes from those lines,
   * without printing every candidate to JSON and parsing it back. Output: the {@link #SUMMARY}
   * object (a candidate that line could not hold is left out and counted as {@code
   * sweep.unreadable_lines}, as {@link #over} does).
   */
  public static OfCandidates overCandidates(ThresholdSweep sweep) {
    return new OfCandidates(Objects.requireNonNull(sweep));
  }

  /** {@link #overCandidates}: the sweep summary of a run's candidates. */
  public static final class OfCandidates
      extends PTransform<PCollection<Candidate>, PCollection<String>> {
    private final ThresholdSweep sweep;

    private OfCandidates(ThresholdSweep sweep) {
      this.sweep = sweep;
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      display(builder, sweep);
    }

    @Override
    public PCollection<String> expand(PCollection<Candidate> candidates) {
      return summarize(candidates.apply("AsCandidateLines", ParDo.of(new WithoutRecordFn())), sweep);
    }
  }

  private static PCollection<String> summarize(
      PCollection<KV<String, Candidate>> byRecord, ThresholdSweep sweep) {
    return byRecord
        .setCoder(KvCoder.of(StringUtf8Coder.of(), new ModelCoders.CandidateCoder()))
        .apply("GroupByRecord", GroupByKey.create())
        .apply("DecideEveryPair", ParDo.of(new DecideFn(sweep)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("SumPerKey", Sum.longsPerKey())
        .apply("OneSummary", Combine.globally(SumToJson.ofLongs()).withoutDefaults())
        .setCoder(StringUtf8Coder.of());
  }

  private static final class WithoutRecordFn extends DoFn<Candidate, KV<String, Candidate>> {
    private final Counter bad = Metrics.counter("tarjama", "sweep.unreadable_lines");

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<String, Candidate>> out) {
      Candidate read = CandidateLines.withoutRecord(c);
      if (read == null) {
        bad.inc();
      } else {
        out.output(KV.of(read.recordId(), read));
      }
    }
  }

  private static final class ParseFn extends DoFn<String, KV<String, Candidate>> {
    private final Counter bad = Metrics.counter("tarjama", "sweep.unreadable_lines");

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      if (line.isBlank()) {
        return;
      }
      try {
        Candidate c = CandidateLines.parse(line);
        out.get(PARSED).output(KV.of(c.recordId(), c));
      } catch (IllegalArgumentException e) {
        bad.inc();
        String field = e.getMessage().startsWith("field ")
            ? e.getMessage().substring(6, e.getMessage().indexOf(' ', 6)) : "";
        String id = "";
        try {
          id = RecordJson.parse(line).path("record_id").asText("");
        } catch (Exception ignored) {
          // Not JSON at all: no id to name.
        }
        out.get(DEAD_LETTERS).output(DeadLetter.of(id, "sweep", field,
            "not a candidate line: " + e.getMessage(), line));
      }
    }
  }

  /** Every pair's verdict on a record, as counts summed within the bundle (few keys). */
  private static final class DecideFn
      extends SumsPerBundle<KV<String, Iterable<Candidate>>, Long> {
    private final ThresholdSweep sweep;

    DecideFn(ThresholdSweep sweep) {
      super(Long::sum);
      this.sweep = sweep;
    }

    @Override
    protected void events(KV<String, Iterable<Candidate>> record, BiConsumer<String, Long> out) {
      List<Candidate> pool = new ArrayList<>();
      record.getValue().forEach(pool::add);
      String split = pool.get(0).split();
      ThresholdSweep.Verdict v = sweep.decide(record.getKey(), pool);
      if (v.untranslated()) {
        out.accept(SweepTable.key("untranslated", split), 1L);
        return;
      }
      out.accept(SweepTable.key("records", split), 1L);
      if (v.chosenByRun()) {
        out.accept(SweepTable.key("run_chosen", split), 1L);
      }
      for (int i = 0; i < v.chosen().length; i++) {
        for (int j = 0; j < v.chosen()[i].length; j++) {
          if (v.chosen()[i][j]) {
            out.accept(SweepTable.key("chosen", split, i, j), 1L);
          }
        }
      }
    }
  }
}
