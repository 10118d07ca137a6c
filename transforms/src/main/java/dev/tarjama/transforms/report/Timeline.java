package dev.tarjama.transforms.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Live counts sampled over a run by the launcher (see {@link LiveCounts}), for the report's
 * throughput and cost over time. Bounded: past {@link #MAX_SAMPLES} samples every other one is
 * dropped and the spacing doubles, so a day-long run keeps as many points as a minute-long one.
 * Thread-safe. On a remote cluster the launcher's counts stay at zero and the timeline is empty.
 */
public final class Timeline {
  public static final int MAX_SAMPLES = 240;

  /** Counts {@code since} the start at {@code seconds}. */
  public record Sample(double seconds, Map<String, Long> counts) {}

  private final List<Sample> samples = new ArrayList<>();
  private int every = 1;
  private long offered;

  /** Offers one sample; kept when it falls on the current spacing. */
  public synchronized void add(double seconds, Map<String, Long> counts) {
    if (offered++ % every != 0) {
      return;
    }
    samples.add(new Sample(seconds, new TreeMap<>(counts)));
    if (samples.size() > MAX_SAMPLES) {
      List<Sample> kept = new ArrayList<>();
      for (int i = 0; i < samples.size(); i += 2) {
        kept.add(samples.get(i));
      }
      samples.clear();
      samples.addAll(kept);
      every *= 2;
    }
  }

  /** The samples in time order, without those where nothing had started in this JVM. */
  public synchronized List<Sample> samples() {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!out.isEmpty() || s.counts().values().stream().anyMatch(v -> v != 0)) {
        out.add(s);
      }
    }
    return out;
  }
}
