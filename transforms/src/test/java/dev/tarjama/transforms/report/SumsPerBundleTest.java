package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class SumsPerBundleTest {
  /** Three events per number: one to count it, its value, and one more for an even number. */
  static final class NumberEvents extends SumsPerBundle<Integer, Long> {
    NumberEvents() {
      super(Long::sum);
    }

    @Override
    protected void events(Integer n, BiConsumer<String, Long> out) {
      out.accept("numbers", 1L);
      out.accept("total", (long) n);
      if (n % 2 == 0) {
        out.accept("even", 1L);
      }
    }
  }

  private static List<Integer> oneTo(int n) {
    List<Integer> numbers = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      numbers.add(i);
    }
    return numbers;
  }

  @Test
  void theSumsOverEveryBundleAreTheSumsOfEveryEvent(TestPipeline p) {
    PCollection<KV<String, Long>> sums = p.apply(Create.of(oneTo(1000)))
        .apply("Events", ParDo.of(new NumberEvents()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PAssert.that(sums.apply("Total", Sum.longsPerKey()))
        .containsInAnyOrder(KV.of("numbers", 1000L), KV.of("total", 500_500L), KV.of("even", 500L));
    PAssert.that(sums).satisfies(partial -> {
      // One sum per key per bundle: as many "numbers" sums as "total" sums (one each per
      // bundle), far fewer than the 1,000 numbers (one per element if nothing were summed).
      Map<String, Integer> outputs = new HashMap<>();
      for (KV<String, Long> sum : partial) {
        outputs.merge(sum.getKey(), 1, Integer::sum);
      }
      assertEquals(outputs.get("numbers"), outputs.get("total"), outputs.toString());
      assertTrue(outputs.get("numbers") < 100, outputs + " sums for 1,000 numbers");
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void anotherWindowThanTheGlobalOneFailsThePipeline() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(oneTo(10)))
        .apply(WithTimestamps.of(n -> new Instant(n * 1000L)))
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(5))))
        .apply("Events", ParDo.of(new NumberEvents()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    assertTrue(String.valueOf(e.getMessage()).contains("global window"), e.toString());
  }
}
