package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimelineTest {
  @Test
  void staysBoundedAndInOrderOverALongRun() {
    Timeline t = new Timeline();
    for (int s = 0; s < 10_000; s++) {
      t.add(s, Map.of("n", (long) s));
    }
    List<Timeline.Sample> samples = t.samples();
    assertTrue(samples.size() <= Timeline.MAX_SAMPLES && samples.size() > Timeline.MAX_SAMPLES / 4,
        "" + samples.size());
    for (int i = 1; i < samples.size(); i++) {
      assertTrue(samples.get(i).seconds() > samples.get(i - 1).seconds());
    }
    assertTrue(samples.get(0).counts().get("n") > 0, "the leading all-zero sample is left out");
  }

  @Test
  void emptyWhenNothingRanInThisProcess() {
    Timeline t = new Timeline();
    t.add(0, Map.of("n", 0L));
    t.add(1, Map.of("n", 0L));
    assertTrue(t.samples().isEmpty());
  }
}
