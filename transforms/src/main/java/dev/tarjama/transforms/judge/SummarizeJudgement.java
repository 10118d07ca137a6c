package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.report.RunStatistics;
import dev.tarjama.transforms.report.SumToJson;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Counts a judge run inside the pipeline, so the report is exact on every runner: pairs read, each
 * verdict, and dead letters per stage. Input: {@link #READ} (the pairs read) and {@link
 * JudgeParallelPairs}' four tags (its {@code DEAD_LETTERS} carrying every dead letter of the run).
 * Output: one JSON object of counts in {@link RunStatistics}' naming ({@value #READ_PAIRS}, {@code
 * accepted}, {@code rejected}, {@code undecided}, {@value RunStatistics#DEAD_LETTER}, {@code
 * dead_letter\t<stage>\tcount}), nothing when the run saw nothing.
 */
public final class SummarizeJudgement extends PTransform<PCollectionTuple, PCollection<String>> {
  public static final TupleTag<ParallelPair> READ = new TupleTag<>() {};
  public static final String READ_PAIRS = "pairs_read";

  private SummarizeJudgement() {}

  public static SummarizeJudgement create() {
    return new SummarizeJudgement();
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    PCollectionList<String> events =
        PCollectionList.of(input.get(READ).apply("ReadEvents",
                MapElements.into(TypeDescriptors.strings()).via(p -> READ_PAIRS)))
            .and(input.get(JudgeParallelPairs.ACCEPTED).apply("AcceptedEvents",
                MapElements.into(TypeDescriptors.strings()).via(j -> "accepted")))
            .and(input.get(JudgeParallelPairs.REJECTED).apply("RejectedEvents",
                MapElements.into(TypeDescriptors.strings()).via(j -> "rejected")))
            .and(input.get(JudgeParallelPairs.UNDECIDED).apply("UndecidedEvents",
                MapElements.into(TypeDescriptors.strings()).via(j -> "undecided")))
            .and(input.get(JudgeParallelPairs.DEAD_LETTERS).apply("DeadLetterEvents",
                FlatMapElements.into(TypeDescriptors.strings())
                    .via((DeadLetter d) -> java.util.List.of(RunStatistics.DEAD_LETTER,
                        RunStatistics.key("dead_letter", d.stage(), "count")))));
    return events
        .apply("AllEvents", Flatten.pCollections())
        .setCoder(StringUtf8Coder.of())
        .apply("OneSummary", Combine.globally(SumToJson.countingEvents()).withoutDefaults())
        .setCoder(StringUtf8Coder.of());
  }
}
