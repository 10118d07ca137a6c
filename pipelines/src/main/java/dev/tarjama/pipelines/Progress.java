package dev.tarjama.pipelines;

import dev.tarjama.transforms.report.LiveCounts;
import dev.tarjama.transforms.report.ProgressLine;
import dev.tarjama.transforms.report.Timeline;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A progress line every few seconds while a pipeline runs, from the live counts of this JVM
 * ({@link LiveCounts}; see {@link ProgressLine} for what it shows). Started before the pipeline
 * runs, so it also prints while a runner's {@code run()} blocks (Flink embedded). On a remote
 * cluster this JVM sees none of the work: it prints nothing.
 */
final class Progress implements AutoCloseable {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tarjama-progress");
            t.setDaemon(true);
            return t;
          });
  private final long start = System.nanoTime();
  private final Map<String, Long> baseline = LiveCounts.snapshot();
  private final ProgressLine line;
  /** Where the lines go; null when none are printed. */
  private PrintStream out;
  private final Timeline timeline = new Timeline();

  private Progress(int backends, int askedEveryChunk) {
    this.line = new ProgressLine(backends, askedEveryChunk);
  }

  /**
   * Prints every {@code seconds} (0: never) until closed, and samples the live counts every
   * second for the report's timeline (printing or not); {@code askedEveryChunk} of the {@code
   * backends} are given every chunk, the others each distinct text once (the line's total).
   */
  static Progress every(int seconds, int backends, int askedEveryChunk, PrintStream out) {
    Progress progress = new Progress(backends, askedEveryChunk);
    progress.timer.scheduleAtFixedRate(progress::sample, 0, 1, TimeUnit.SECONDS);
    if (seconds > 0) {
      progress.out = out;
      progress.timer.scheduleAtFixedRate(
          () -> progress.print(out), seconds, seconds, TimeUnit.SECONDS);
    }
    return progress;
  }

  private void print(PrintStream out) {
    Map<String, Long> counts = ProgressLine.since(baseline, LiveCounts.snapshot());
    if (counts.values().stream().allMatch(v -> v == 0)) {
      return; // nothing runs in this JVM (a remote cluster), or nothing has started yet
    }
    out.println(line.format(counts, (System.nanoTime() - start) / 1e9));
    out.flush();
  }

  private void sample() {
    timeline.add((System.nanoTime() - start) / 1e9,
        ProgressLine.since(baseline, LiveCounts.snapshot()));
  }

  /** The live counts sampled so far (empty when this JVM ran none of the work). */
  Timeline timeline() {
    return timeline;
  }

  /**
   * Stops; when lines are printed, prints the last one, so that the final counts show even when
   * the run ends between two ticks.
   */
  @Override
  public void close() {
    sample();
    timer.shutdownNow();
    if (out != null) {
      print(out);
    }
  }
}
