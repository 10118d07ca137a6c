package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * EvaluateTranslations on the first 40 segments of the shipped XQuAD set (testdata/eval): the
 * corpus scores the combiner computes equal the plain metrics' on the same lists, failures are
 * scored as empty hypotheses and reported, stray outputs are dead letters.
 */
@ExtendWith(TestPipelineExtension.class)
class EvaluateTranslationsTest {
  private static final Path EVAL = Path.of(System.getProperty("tarjama.testdata"), "eval");
  private static final int N = 40;

  private static List<String> lines(String name) throws IOException {
    return Files.readAllLines(EVAL.resolve(name), StandardCharsets.UTF_8).subList(0, N);
  }

  @Test
  void scoresEqualThePlainMetricsAndFailuresScoreAsEmpty(TestPipeline pipeline) throws IOException {
    List<String> sources = lines("xquad_en_ar.en.txt");
    List<String> references = lines("xquad_en_ar.ar.txt");
    List<EvaluationSegment> segments = new ArrayList<>();
    List<SystemOutput> outputs = new ArrayList<>();
    List<String> partial = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      segments.add(EvaluationSegment.of(i, sources.get(i), references.get(i)));
      outputs.add(SystemOutput.of("reference", i, references.get(i)));
      outputs.add(SystemOutput.of("copy-source", i, sources.get(i)));
      // "partial" is the reference with its words reversed, except that it has no output for
      // segment 4, failed on segment 6 and has two outputs for segment 8
      String reversed = String.join(" ", reverse(List.of(references.get(i).split(" "))));
      if (i == 3) {
        partial.add("");
      } else if (i == 7) {
        outputs.add(SystemOutput.of("partial", i, reversed));
        outputs.add(SystemOutput.of("partial", i, "a second output"));
        partial.add("");
      } else if (i == 5) {
        outputs.add(SystemOutput.failed("partial", i, "HTTP 500 from the backend"));
        partial.add("");
      } else {
        outputs.add(SystemOutput.of("partial", i, reversed));
        partial.add(reversed);
      }
    }
    outputs.add(SystemOutput.of("unknown", 0, "from a system nobody asked for"));
    outputs.add(SystemOutput.of("reference", N + 5, "beyond the set"));

    PCollectionTuple result =
        PCollectionTuple.of(EvaluateTranslations.SEGMENTS, pipeline.apply("Segments",
                Create.of(segments).withCoder(new EvaluationCoders.SegmentCoder())))
            .and(EvaluateTranslations.OUTPUTS, pipeline.apply("Outputs",
                Create.of(outputs).withCoder(new EvaluationCoders.SystemOutputCoder())))
            .apply(EvaluateTranslations.ofSystems("reference", "copy-source", "partial"));

    List<List<String>> refs = List.of(references);
    Map<String, double[]> expected = new HashMap<>();
    expected.put("reference", new double[] {100, 100, 100, 0});
    expected.put("copy-source", direct(sources, refs, 0));
    expected.put("partial", direct(partial, refs, 3));

    PAssert.that(result.get(EvaluateTranslations.SCORES)).satisfies(scores -> {
      Map<String, SystemScores> bySystem = new HashMap<>();
      scores.forEach(s -> bySystem.put(s.system(), s));
      assertEquals(expected.keySet(), bySystem.keySet());
      for (Map.Entry<String, double[]> e : expected.entrySet()) {
        SystemScores s = bySystem.get(e.getKey());
        double[] x = e.getValue();
        assertEquals(x[0], s.bleu(), 1e-9, e.getKey() + " BLEU");
        assertEquals(x[1], s.chrfPlusPlus(), 1e-9, e.getKey() + " chrF++");
        assertEquals(x[2], s.rougeL(), 1e-9, e.getKey() + " ROUGE-L");
        assertEquals((long) x[3], s.failed(), e.getKey() + " failed");
        assertEquals(N, s.segments());
        assertEquals("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
            s.bleuSignature());
        assertEquals("chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0",
            s.chrfSignature());
      }
      SystemScores partialScores = bySystem.get("partial");
      assertTrue(partialScores.bleu() < 50 && partialScores.rougeL() < 100
          && partialScores.chrfPlusPlus() > 50, partialScores.toString());
      return null;
    });
    PAssert.that(result.get(EvaluateTranslations.DEAD_LETTERS)).satisfies(letters -> {
      Map<String, String> errors =
          StreamSupport.stream(letters.spliterator(), false)
              .collect(Collectors.toMap(d -> d.recordId() + " " + d.field(), d -> d.error(),
                  (a, b) -> a + " | " + b));
      assertEquals(5, errors.size(), errors.toString());
      assertTrue(errors.get("segment 4 /partial").contains("no output for segment 4"));
      assertTrue(errors.get("segment 6 /partial").contains("HTTP 500 from the backend"));
      assertTrue(errors.get("segment 8 /partial").matches(
          "system partial has 2 outputs for segment 8.*\\| system partial has 2 outputs.*"));
      assertTrue(errors.get("segment 1 /unknown").contains("not among the evaluated systems"));
      assertTrue(errors.get("segment 46 /reference").contains("not in the evaluation set"));
      for (DeadLetter d : letters) {
        assertEquals("evaluate", d.stage());
      }
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void systemsAreNamedOnce() {
    assertThrows(IllegalArgumentException.class, () -> EvaluateTranslations.ofSystems("a", "a"));
    assertThrows(IllegalArgumentException.class, () -> EvaluateTranslations.ofSystems(List.of()));
  }

  private static double[] direct(List<String> hyps, List<List<String>> refs, int failed) {
    return new double[] {
      Bleu.sacreBleu().corpusScore(hyps, refs).score(),
      ChrF.chrFPlusPlus().corpusScore(hyps, refs),
      RougeL.unicode().corpusScore(hyps, refs),
      failed
    };
  }

  private static List<String> reverse(List<String> words) {
    List<String> out = new ArrayList<>(words);
    java.util.Collections.reverse(out);
    return out;
  }
}
